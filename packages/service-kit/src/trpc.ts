/**
 * The one tRPC setup every LockBox service shares (tRPC's SOA example warns
 * that merged routers must share context and error formatter).
 *
 * 1. Context: what a procedure may know about the request.
 * 2. Init: meta type and the error formatter that renders our error codes.
 * 3. Procedures: public → user (narrows ctx.user) → internal (service credential), the ladder in ./access.ts.
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
import { type AnyTRPCProcedure, type AnyTRPCRouter, initTRPC } from '@trpc/server';
import type { z } from 'zod';
import { admitCaller } from './access';
import type { BaseContext, UserContext } from './context';
import { type AnyHandler, registerDirectCall } from './direct-call';
import { describeError } from './errors';

// 1. Context (./context.ts) -------------------------------------------------

export type { AuthUser, BaseContext, UserContext } from './context';
export { type DirectCall, directCallOf } from './direct-call';

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

/** A procedure behind the access ladder (./access.ts), which the HTTP fast path climbs too. */
const guarded = (access: Exclude<Access, 'public'>) =>
  t.procedure.use(async ({ ctx, next }) => {
    const user = await admitCaller(access, ctx);
    if (!user) return next();
    // A spread context has no `log` (a getter on the request's class): bind the user's explicitly.
    return next({ ctx: { ...ctx, user, log: ctx.log.child({ userId: user.id }) } });
  });

export const userProcedure = guarded('user');

export const internalProcedure = guarded('internal');

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
      registerDirectCall(procedure as AnyTRPCProcedure, node, resolver);
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
