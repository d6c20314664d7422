/**
 * Contract-first procedures. A contract is a tree of operation descriptors
 * (kind, access, input/output schemas, optional REST route). From it:
 * - `ContractRouter<C>` is the tRPC router *type* callers use (no service import);
 * - service-kit's `implement()` builds the real router and forces handlers to match;
 * - `restRoutesOf()` is the REST table the gateway, the OpenAPI document and the
 *   contract tests read.
 */
import type {
  TRPC_ERROR_CODE_KEY,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
} from '@trpc/server';
import type { z } from 'zod';
import type { ErrorCode } from './errors';

/** Who may call: anyone, a user with a valid access token, or another LockBox service. */
export type Access = 'public' | 'user' | 'internal';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRoute {
  method: HttpMethod;
  /** Path with `{param}` segments, each filled into the input object. */
  path: string;
  /** Success status; 204 answers with no body. */
  status?: 200 | 201 | 204;
}

export interface Operation<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  K extends 'query' | 'mutation' = 'query' | 'mutation',
  A extends Access = Access,
> {
  kind: K;
  access: A;
  input: I;
  output: O;
  summary: string;
  rest?: RestRoute;
}

export type ContractTree = { [key: string]: Operation | ContractTree };

export const query = <I extends z.ZodType, O extends z.ZodType, A extends Access>(
  def: Omit<Operation<I, O, 'query', A>, 'kind'>,
): Operation<I, O, 'query', A> => ({ kind: 'query', ...def });

export const mutation = <I extends z.ZodType, O extends z.ZodType, A extends Access>(
  def: Omit<Operation<I, O, 'mutation', A>, 'kind'>,
): Operation<I, O, 'mutation', A> => ({ kind: 'mutation', ...def });

export const isOperation = (node: Operation | ContractTree): node is Operation =>
  typeof (node as Operation).kind === 'string' && typeof (node as Operation).access === 'string';

/** What every procedure carries in its tRPC meta. */
export interface ProcedureMeta {
  access: Access;
  summary: string;
  rest?: RestRoute;
}

export interface LockboxErrorData {
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  app_code: ErrorCode;
  request_id: string;
  retry_after?: number;
}
export interface LockboxErrorShape {
  message: string;
  code: number;
  data: LockboxErrorData;
}

type RootTypes = { ctx: object; meta: ProcedureMeta; errorShape: LockboxErrorShape; transformer: false };

type ProcedureOf<Op> =
  Op extends Operation<infer I, infer O, infer K, Access>
    ? K extends 'query'
      ? TRPCQueryProcedure<{ input: z.input<I>; output: z.output<O>; meta: ProcedureMeta }>
      : TRPCMutationProcedure<{ input: z.input<I>; output: z.output<O>; meta: ProcedureMeta }>
    : never;

export type ProcedureRecordOf<C> = {
  [K in keyof C]: C[K] extends Operation ? ProcedureOf<C[K]> : ProcedureRecordOf<C[K]>;
};

/** The tRPC router type a contract describes; give it to `createTRPCClient<…>()`. */
export type ContractRouter<C extends ContractTree> = TRPCBuiltRouter<RootTypes, ProcedureRecordOf<C>>;

export interface FlatOperation {
  /** Dotted procedure path, e.g. `auth.register`. */
  name: string;
  op: Operation;
}

export const flattenContract = (tree: ContractTree, prefix = ''): FlatOperation[] =>
  Object.entries(tree).flatMap(([key, node]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    return isOperation(node) ? [{ name, op: node }] : flattenContract(node, name);
  });

export interface RestOperation extends FlatOperation {
  rest: RestRoute;
}

export const restRoutesOf = (tree: ContractTree): RestOperation[] =>
  flattenContract(tree).flatMap((f) => (f.op.rest ? [{ ...f, rest: f.op.rest }] : []));

/** Names of the `{param}` segments of a REST path. */
export const pathParamsOf = (path: string): string[] =>
  [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] as string);
