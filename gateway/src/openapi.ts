/**
 * `/openapi.json`: the OpenAPI document built from the contracts' registry
 * (`serviceContracts` in `@lockbox/contracts`), so a new service's routes
 * appear without touching the gateway. Internal operations are left out: the
 * gateway never routes them. Built once, on first request.
 */
import {
  buildOpenApiDocument,
  type ContractTree,
  publicTreeOf,
  type ServiceContract,
  serviceContracts,
} from '@lockbox/contracts';

/** The public part of every registered service contract, in registry order. */
export const publicContracts = (
  registry: ReadonlyArray<ServiceContract> = serviceContracts,
): Array<{ service: string; tree: ContractTree }> =>
  registry.flatMap(({ service, tree }) => {
    const pub = publicTreeOf(tree);
    return pub ? [{ service, tree: pub }] : [];
  });

let cached: Buffer | undefined;

export const openApiJson = (): Buffer => {
  cached ??= Buffer.from(
    JSON.stringify(
      buildOpenApiDocument(
        publicContracts().map(({ tree }) => tree),
        { title: 'LockBox API', version: '1' },
      ),
    ),
  );
  return cached;
};
