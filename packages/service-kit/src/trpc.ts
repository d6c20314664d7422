/**
 * The one tRPC setup every LockBox service shares (tRPC's SOA example warns
 * that merged routers must share context and error formatter).
 *
 * 1. Context: what a procedure may know about the request.
 * 2. Init: meta type and the error formatter that renders our error codes.
 * 3. Procedures: public → user (narrows ctx.user) → internal (service credential).
 * 4. implement(): builds a router from a contract and type-checks the handlers against it.
 */
import {
  type Access,
  type ContractTree,
  isOperation,
  type LockboxErrorShape,
  type Operation,
  type ProcedureMeta,
} from '@lockbox/contracts';
import { type AnyTRPCProcedure, type AnyTRPCRouter, initTRPC, TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { AppError, describeError } from './errors';
import type { Logger } from './logger';

// 1. Context ---------------------------------------------------------------

export interface AuthUser {
  id: string;
  username: string;
  sessionId: string;
}

export interface BaseContext {
  requestId: string;
  /** Request-scoped logger (requestId, path; userId once known). */
  log: Logger;
  /** The client's address: the socket's, or the gateway's word for it when the gateway proved itself. */
  clientIp: string;
  authorization: string | undefined;
  /** True when the caller presented the internal service credential. */
  internal: boolean;
  /** Verifies a bearer token; throws AppError('unauthorized') when it is not a live access token. */
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
}

export interface UserContext extends BaseContext {
  user: AuthUser;
}

// 2. Init ------------------------------------------------------------------

const t = initTRPC
  .context<BaseContext>()
  .meta<ProcedureMeta>()
  .create({
    isServer: true,
    errorFormatter({ shape, error, ctx }): LockboxErrorShape {
      const described = describeError(error);
      return {
        message: described.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: described.status,
          ...(shape.data.path ? { path: shape.data.path } : {}),
          app_code: described.code,
          request_id: ctx?.requestId ?? '',
          ...(described.retryAfter !== undefined ? { retry_after: described.retryAfter } : {}),
        },
      };
    },
  });

// 3. Procedures ------------------------------------------------------------

export const publicProcedure = t.procedure;

export const userProcedure = t.procedure.use(async ({ ctx, next }) => {
  const user = await ctx.authenticate(ctx.authorization);
  return next({ ctx: { ...ctx, user, log: ctx.log.child({ userId: user.id }) } });
});

export const internalProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.internal) throw new AppError('unauthorized', 'service credential required');
  return next();
});

const PROCEDURE_BY_ACCESS: Record<Access, typeof publicProcedure> = {
  public: publicProcedure,
  user: userProcedure as unknown as typeof publicProcedure,
  internal: internalProcedure,
};

// 4. implement() -----------------------------------------------------------

export type ContextFor<A extends Access> = A extends 'user' ? UserContext : BaseContext;

export type HandlersOf<C> = {
  [K in keyof C]: C[K] extends Operation<infer I, infer O, 'query' | 'mutation', infer A>
    ? (args: { input: z.output<I>; ctx: ContextFor<A> }) => Promise<z.input<O>>
    : HandlersOf<C[K]>;
};

type AnyHandler = (args: { input: unknown; ctx: BaseContext }) => Promise<unknown>;

/**
 * The same procedure without tRPC's middleware machinery, for the HTTP hot path.
 * Measured (scripts/bench/service.ts --breakdown): calling a tRPC procedure costs
 * ~50 µs of CPU on a trivial query, where the access check, zod input/output
 * parsing and the handler together cost ~5 µs. Built from the same descriptor as
 * the tRPC procedure and running the same ladder in the same order (access,
 * then input, handler, output), so both paths answer alike; tRPC clients,
 * `createCaller` and the tests still go through the tRPC procedure.
 */
export type DirectCall = (ctx: BaseContext, rawInput: unknown) => Promise<unknown>;
const directCalls = new WeakMap<AnyTRPCProcedure, DirectCall>();
export const directCallOf = (procedure: AnyTRPCProcedure): DirectCall | undefined =>
  directCalls.get(procedure);

/**
 * The context a user procedure's handler gets on the direct path: the
 * request's, plus the verified user. Its logger (userId bound) is made only
 * when the handler logs; spreading the request's context did not just copy it,
 * it also ran its `log` getter, so every user request built two child loggers
 * (~18 µs in the delivery profile) that almost none used.
 */
class UserRequestContext implements UserContext {
  readonly requestId: string;
  readonly clientIp: string;
  readonly authorization: string | undefined;
  readonly internal: boolean;
  readonly authenticate: BaseContext['authenticate'];
  readonly #request: BaseContext;
  #log: Logger | undefined;
  constructor(
    request: BaseContext,
    readonly user: AuthUser,
  ) {
    this.requestId = request.requestId;
    this.clientIp = request.clientIp;
    this.authorization = request.authorization;
    this.internal = request.internal;
    this.authenticate = request.authenticate;
    this.#request = request;
  }
  get log(): Logger {
    this.#log ??= this.#request.log.child({ userId: this.user.id });
    return this.#log;
  }
}

const makeDirectCall = (op: Operation, resolver: AnyHandler): DirectCall => {
  const enter = async (ctx: BaseContext): Promise<BaseContext> => {
    if (op.access === 'user') {
      const user = await ctx.authenticate(ctx.authorization);
      return new UserRequestContext(ctx, user);
    }
    if (op.access === 'internal' && !ctx.internal)
      throw new AppError('unauthorized', 'service credential required');
    return ctx;
  };
  return async (ctx, rawInput) => {
    const inner = await enter(ctx);
    const input = op.input.safeParse(rawInput);
    if (!input.success)
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'invalid input', cause: input.error });
    const result = await resolver({ input: input.data, ctx: inner });
    const output = op.output.safeParse(result);
    if (!output.success)
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'Output validation failed',
        cause: output.error,
      });
    return output.data;
  };
};

const buildRecord = (tree: ContractTree, handlers: Record<string, unknown>, prefix: string) => {
  const record: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    const handler = handlers[key];
    if (isOperation(node)) {
      if (typeof handler !== 'function') throw new Error(`no handler for ${name}`);
      const base = PROCEDURE_BY_ACCESS[node.access]
        .meta({ access: node.access, summary: node.summary, ...(node.rest ? { rest: node.rest } : {}) })
        .input(node.input)
        .output(node.output);
      const resolver = handler as AnyHandler;
      const procedure =
        node.kind === 'query'
          ? base.query(({ input, ctx }) => resolver({ input, ctx }))
          : base.mutation(({ input, ctx }) => resolver({ input, ctx }));
      directCalls.set(procedure as AnyTRPCProcedure, makeDirectCall(node, resolver));
      record[key] = procedure;
    } else {
      record[key] = t.router(buildRecord(node, (handler ?? {}) as Record<string, unknown>, name) as never);
    }
  }
  return record;
};

/** Builds the service's router from its contract; TypeScript refuses handlers that don't match it. */
export const implement = <C extends ContractTree>(contract: C, handlers: HandlersOf<C>): AnyTRPCRouter =>
  t.router(buildRecord(contract, handlers as Record<string, unknown>, '') as never);

export const mergeRouters = t.mergeRouters;
