/**
 * `/openapi.json`: the OpenAPI document built from every contract that
 * `@lockbox/contracts` exports (any `…Contract` object), so a new service's
 * routes appear without touching the gateway. Internal operations are left
 * out: the gateway never routes them. Built once, on first request.
 */
import * as contracts from '@lockbox/contracts';
import { buildOpenApiDocument, type ContractTree, isOperation, type Operation } from '@lockbox/contracts';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

/** The tree without internal operations (and without branches left empty). */
const publicPart = (tree: ContractTree): ContractTree | undefined => {
  const out: ContractTree = {};
  for (const [key, node] of Object.entries(tree)) {
    if (isOperation(node as Operation | ContractTree)) {
      if ((node as Operation).access !== 'internal') out[key] = node;
    } else {
      const sub = publicPart(node as ContractTree);
      if (sub) out[key] = sub;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
};

/** Every exported contract, by export name (e.g. `authContract`). */
export const exportedContracts = (): Array<{ name: string; tree: ContractTree }> =>
  Object.entries(contracts as Record<string, unknown>)
    .filter(([name, value]) => name.endsWith('Contract') && isPlainObject(value))
    .map(([name, value]) => ({ name, tree: value as ContractTree }))
    .sort((a, b) => a.name.localeCompare(b.name));

let cached: Buffer | undefined;

export const openApiJson = (): Buffer => {
  cached ??= Buffer.from(
    JSON.stringify(
      buildOpenApiDocument(
        exportedContracts().flatMap(({ tree }) => {
          const pub = publicPart(tree);
          return pub ? [pub] : [];
        }),
        { title: 'LockBox API', version: '1' },
      ),
    ),
  );
  return cached;
};
