/**
 * The same procedure without tRPC's middleware machinery, for the HTTP hot
 * path: a tRPC procedure call costs many times the access check, zod input and
 * output parsing and the handler together on a trivial query (see
 * scripts/bench/service.ts --breakdown). Built from the same descriptor as the
 * tRPC procedure and running the same ladder in the same order (access, then
 * input, handler, output), so both paths answer alike; tRPC clients,
 * `createCaller` and the tests still go through the tRPC procedure.
 */
import type { Operation } from '@lockbox/contracts';
import { type AnyTRPCProcedure, TRPCError } from '@trpc/server';
import { admitCaller } from './access';
import { type BaseContext, UserRequestContext } from './context';

export type DirectCall = (ctx: BaseContext, rawInput: unknown) => Promise<unknown>;
export type AnyHandler = (args: { input: unknown; ctx: BaseContext }) => Promise<unknown>;

const directCalls = new WeakMap<AnyTRPCProcedure, DirectCall>();

export const directCallOf = (procedure: AnyTRPCProcedure): DirectCall | undefined =>
  directCalls.get(procedure);

/** Registers the direct form of a procedure built from `op` and `resolver`. */
export const registerDirectCall = (procedure: AnyTRPCProcedure, op: Operation, resolver: AnyHandler) => {
  directCalls.set(procedure, makeDirectCall(op, resolver));
};

const makeDirectCall = (op: Operation, resolver: AnyHandler): DirectCall => {
  return async (ctx, rawInput) => {
    const user = await admitCaller(op.access, ctx);
    const inner = user ? new UserRequestContext(ctx, user) : ctx;
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
