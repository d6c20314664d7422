/**
 * The registry of service contracts and the gateway's public route table
 * derived from it: which service answers which path prefix, and which tRPC
 * namespaces are public. `internal` is in no list, so the gateway never
 * routes an internal procedure. A new service contract goes in
 * `serviceContracts`; its routes then reach the gateway and OpenAPI by themselves.
 */
import { authServiceContract } from './auth/contract';
import { messagesServiceContract } from './messages/contract';
import { realtimeServiceContract } from './realtime/contract';
import { publicNamespacesOf, type ServiceContract } from './service-contract';
import type { ServiceName } from './services';

export const serviceContracts: ReadonlyArray<ServiceContract> = [
  authServiceContract,
  messagesServiceContract,
  realtimeServiceContract,
];

/** Longest prefix wins; a prefix matches the path itself or the path followed by `/` or `?`. */
export const PUBLIC_PREFIXES: ReadonlyArray<{ prefix: string; service: ServiceName }> =
  serviceContracts.flatMap(({ service, publicPrefixes }) =>
    publicPrefixes.map((prefix) => ({ prefix, service })),
  );

/**
 * The versioned base path of the public API: every public route (REST, `/trpc`
 * and `/ws`) also answers under it, and the OpenAPI document names it as its
 * server. The unversioned paths stay for the original clients; a future
 * incompatible API gets `/v2` beside this one instead of changing it.
 */
export const API_BASE_PATH = '/v1';

/** tRPC namespaces callable through the gateway at `/trpc/<namespace>.<procedure>`. */
export const PUBLIC_TRPC_NAMESPACES: Readonly<Record<string, ServiceName>> = Object.fromEntries(
  serviceContracts.flatMap(({ service, tree }) => publicNamespacesOf(tree).map((ns) => [ns, service])),
);
