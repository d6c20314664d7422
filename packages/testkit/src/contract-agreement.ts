/**
 * One check for every service: the router it builds, its contract's REST
 * table and the OpenAPI document agree. Building a router only wires
 * handlers, none runs, so the caller may pass dependencies that are never
 * touched (`{} as Deps`). A separate entry point (`@lockbox/testkit/contract-agreement`)
 * because it imports vitest, which the rest of testkit must not.
 */
import {
  buildOpenApiDocument,
  type ContractTree,
  flattenContract,
  type ProcedureMeta,
  restRoutesOf,
} from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';

type Procedure = { _def: { type: 'query' | 'mutation'; meta?: ProcedureMeta } };

const proceduresOf = (router: unknown): Record<string, Procedure> =>
  (router as { _def: { procedures: Record<string, Procedure> } })._def.procedures;

export const describeRouterAgreesWithContract = (router: unknown, contract: ContractTree): void => {
  const procedures = proceduresOf(router);
  const operations = flattenContract(contract);
  const openapi = buildOpenApiDocument([contract]) as unknown as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };

  describe('router, REST table and OpenAPI agree', () => {
    it('the router has exactly the contract procedures', () => {
      expect(Object.keys(procedures).sort()).toEqual(operations.map((o) => o.name).sort());
    });

    it.each(operations.map((o) => [o.name, o] as const))(
      '%s: kind and meta as the contract says',
      (name, { op }) => {
        const p = procedures[name];
        expect(p?._def.type).toBe(op.kind);
        expect(p?._def.meta).toEqual({
          access: op.access,
          summary: op.summary,
          ...(op.rest ? { rest: op.rest } : {}),
        });
      },
    );

    it('every REST route is a procedure with that route in its meta', () => {
      for (const r of restRoutesOf(contract)) expect(procedures[r.name]?._def.meta?.rest).toEqual(r.rest);
    });

    it('every procedure with a REST route is in the OpenAPI document under that method and path', () => {
      const withRest = Object.entries(procedures).filter(([, p]) => p._def.meta?.rest);
      expect(withRest.length).toBe(restRoutesOf(contract).length);
      for (const [name, p] of withRest) {
        const rest = p._def.meta?.rest;
        if (!rest) continue;
        expect(openapi.paths[rest.path]?.[rest.method.toLowerCase()]?.operationId).toBe(name);
      }
    });

    it('no internal procedure has a REST route', () => {
      for (const [, p] of Object.entries(procedures))
        if (p._def.meta?.access === 'internal') expect(p._def.meta.rest).toBeUndefined();
    });
  });
};
