/**
 * The calls the authorization cases walk, read from the contracts so a new
 * route is covered the day it lands: every user route over REST, every user
 * procedure of a public tRPC namespace, every internal procedure.
 */
import {
  type Access,
  type ContractTree,
  flattenContract,
  type IdKind,
  newId,
  PUBLIC_TRPC_NAMESPACES,
  pathParamsOf,
  restRoutesOf,
  type ServiceName,
  serviceContracts,
} from '@lockbox/contracts';

export interface Call {
  /** `POST /messages/send` or `POST /trpc/messages.send`: one table row's name. */
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** The service whose contract declares it. */
  service: ServiceName;
}

const CONTRACTS: ReadonlyArray<[ServiceName, ContractTree]> = serviceContracts.map((c) => [
  c.service,
  c.tree,
]);

/** Which id a `{param}` holds; a well-formed id, so a refusal is about the caller, not the path. */
const PARAM_KINDS: Readonly<Record<string, IdKind>> = { id: 'request', user_id: 'user', contact_id: 'user' };

const fillParams = (path: string) =>
  pathParamsOf(path).reduce((p, name) => p.replace(`{${name}}`, newId(PARAM_KINDS[name] ?? 'user')), path);

/** Every REST route of the public contracts with this access. */
export const restCalls = (access: Access): Call[] =>
  CONTRACTS.flatMap(([service, tree]) =>
    restRoutesOf(tree)
      .filter((r) => r.op.access === access)
      .map((r) => ({
        label: `${r.rest.method} ${r.rest.path}`,
        method: r.rest.method,
        path: fillParams(r.rest.path),
        ...(r.rest.method === 'POST' || r.rest.method === 'PUT' ? { body: {} } : {}),
        service,
      })),
  );

/** Every procedure with this access as a tRPC call (`GET` query, `POST` mutation), wherever its namespace. */
export const trpcCalls = (access: Access): Call[] =>
  CONTRACTS.flatMap(([service, tree]) =>
    flattenContract(tree)
      .filter(({ op }) => op.access === access)
      .map(({ name, op }) => ({
        label: `${op.kind === 'query' ? 'GET' : 'POST'} /trpc/${name}`,
        method: op.kind === 'query' ? ('GET' as const) : ('POST' as const),
        path: `/trpc/${name}`,
        ...(op.kind === 'mutation' ? { body: {} } : {}),
        service,
      })),
  );

/** The namespace of a tRPC call is one the gateway routes. */
export const isPublicNamespace = (call: Call) =>
  Object.hasOwn(PUBLIC_TRPC_NAMESPACES, call.path.slice('/trpc/'.length).split('.')[0] as string);
