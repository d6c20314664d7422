/** The OpenAPI document covers every REST route of every contract, exactly as the contract declares it. */
import { describe, expect, it } from 'vitest';
import * as contracts from '../src';
import { type ContractTree, flattenContract, pathParamsOf, restRoutesOf } from '../src/contract';
import { buildOpenApiDocument } from '../src/openapi';

/** Every registered service contract, so a new service's contract is covered without touching this test. */
const allContracts: Array<[string, ContractTree]> = contracts.serviceContracts.flatMap(({ service, tree }) =>
  flattenContract(tree).length > 0 ? [[service, tree] as [string, ContractTree]] : [],
);

type Operation = {
  operationId: string;
  summary: string;
  security?: unknown;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: unknown;
  responses: Record<string, { content?: unknown }>;
};
const doc = buildOpenApiDocument(allContracts.map(([, c]) => c)) as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
};

describe('buildOpenApiDocument', () => {
  it('finds the auth contract in the registry', () => {
    expect(allContracts.map(([name]) => name)).toContain('auth');
  });

  it('is OpenAPI 3.1 with one operation per REST route, no more', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const declared = allContracts.flatMap(([, c]) =>
      restRoutesOf(c).map((r) => `${r.rest.method} ${r.rest.path}`),
    );
    expect(new Set(declared).size).toBe(declared.length); // no two procedures claim one route
    expect(documented.sort()).toEqual(declared.sort());
  });

  for (const [contractName, contract] of allContracts) {
    describe(contractName, () => {
      const routes = restRoutesOf(contract);
      it.each(routes.map((r) => [`${r.rest.method} ${r.rest.path}`, r] as const))('%s', (_label, route) => {
        const op = doc.paths[route.rest.path]?.[route.rest.method.toLowerCase()];
        expect(op, 'documented').toBeDefined();
        if (!op) return;
        expect(op.operationId).toBe(route.name);
        expect(op.summary).toBe(route.op.summary);
        const status = String(route.rest.status ?? 200);
        expect(Object.keys(op.responses).sort()).toEqual([status, 'default'].sort());
        if (status === '204') expect(op.responses[status]?.content).toBeUndefined();
        else expect(op.responses[status]?.content).toBeDefined();
        expect(Boolean(op.security)).toBe(route.op.access === 'user');
        for (const p of pathParamsOf(route.rest.path))
          expect(op.parameters).toContainEqual(
            expect.objectContaining({ name: p, in: 'path', required: true }),
          );
        if (route.rest.method === 'GET' || route.rest.method === 'DELETE')
          expect(op.requestBody).toBeUndefined();
      });

      it('routes no internal procedure', () => {
        for (const r of routes) expect(r.op.access).not.toBe('internal');
      });
    });
  }

  it('documents every auth row of API.md', () => {
    const expected = [
      'POST /auth/register 201',
      'POST /auth/login 200',
      'POST /auth/refresh 200',
      'POST /auth/logout 204',
      'GET /auth/me 200',
      'GET /auth/verify/{token} 200',
      'POST /auth/prelogin 200',
      'POST /auth/keys 201',
      'GET /auth/keys/{user_id} 200',
      'GET /auth/vault 200',
      'PUT /auth/vault 200',
      'GET /auth/.well-known/jwks.json 200',
      'GET /users/search 200',
    ];
    const actual = restRoutesOf(contracts.authContract).map(
      (r) => `${r.rest.method} ${r.rest.path} ${r.rest.status ?? 200}`,
    );
    // API.md's rows are the minimum; the contract may add routes (each is checked above).
    expect(actual).toEqual(expect.arrayContaining(expected));
  });

  it('documents the MLS Delivery Service routes (v2-wire.md §2)', () => {
    expect(Object.keys(doc.paths['/messages/mls'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/messages/mls']?.post?.responses ?? {}).sort()).toEqual(['201', 'default']);
    const epoch = doc.paths['/messages/mls/epoch/{contact_id}']?.get;
    expect(epoch?.operationId).toBe('messages.mlsEpoch');
    expect(epoch?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['path:contact_id']);
    const send = doc.paths['/messages/mls']?.post as Operation & {
      requestBody: { content: { 'application/json': { schema: { required: string[] } } } };
    };
    expect(send.requestBody.content['application/json'].schema.required.sort()).toEqual([
      'client_msg_id',
      'epoch',
      'kind',
      'message',
      'recipient_id',
    ]);
  });

  it('puts GET inputs in the query and POST inputs in the body', () => {
    const search = doc.paths['/users/search']?.get;
    expect(search?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:after',
      'query:limit',
      'query:q',
    ]);
    expect(search?.parameters?.find((p) => p.name === 'q')?.required).toBe(true);
    const register = doc.paths['/auth/register']?.post as Operation & {
      requestBody: { content: { 'application/json': { schema: { required: string[] } } } };
    };
    expect(register.requestBody.content['application/json'].schema.required.sort()).toEqual([
      'password',
      'username',
    ]);
  });
});
