/**
 * Calls a decoded procedure: directly when `implement()` built it (same
 * access ladder and validation, without tRPC's middleware machinery), through
 * tRPC otherwise.
 */
import type { AnyTRPCProcedure } from '@trpc/server';
import type { BaseContext } from '../context';
import { directCallOf } from '../direct-call';

export const callProcedure = (
  procedure: AnyTRPCProcedure,
  path: string,
  ctx: BaseContext,
  input: unknown,
): Promise<unknown> => {
  const direct = directCallOf(procedure);
  if (direct) return direct(ctx, input);
  return procedure({
    ctx,
    path,
    type: procedure?._def.type ?? 'query',
    getRawInput: async () => input,
    signal: undefined,
    batchIndex: 0,
  });
};
