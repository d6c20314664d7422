/**
 * Every answer the server gives is checked against its contract's output
 * schema before any caller sees it. The server is the adversary LockBox
 * defends against (docs/SECURITY.md §1): a wrong shape, a missing field or a
 * value of the wrong type must become an error, never data. This is one tRPC
 * link in front of the HTTP link, so no call path can skip it; the schemas
 * come from the same contract descriptors the services implement.
 */
import {
  authContract,
  type ContractTree,
  flattenContract,
  messagesContract,
  type Operation,
} from '@lockbox/contracts';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { LockboxRouter } from './router';

/** Thrown (as a tRPC error's cause) when an answer does not match the contract; api/errors.ts names it `invalid_response`. */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
  constructor(
    readonly path: string,
    readonly issues: string,
  ) {
    super(`the server's answer to ${path} does not match the contract (${issues}); it was refused`);
  }
}

const publicOperations = (tree: ContractTree): [string, Operation][] =>
  flattenContract(tree)
    .filter(({ name }) => !name.startsWith('internal.'))
    .map(({ name, op }) => [name, op]);

/** Procedure path (`auth.prelogin`) → its contract operation, for every procedure the SDK may call. */
export const PUBLIC_OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ...publicOperations(authContract),
  ...publicOperations(messagesContract),
]);

/** Where and what failed, without the values themselves (they may be tokens or ciphertext). */
const describeIssues = (issues: { path: PropertyKey[]; code: string }[]) =>
  issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`)
    .join('; ');

/** Parses an answer's data with the procedure's output schema; throws InvalidResponseError otherwise. */
export const validateAnswer = (path: string, data: unknown): unknown => {
  const op = PUBLIC_OPERATIONS.get(path);
  if (!op) throw new InvalidResponseError(path, 'no such procedure in the contract');
  const parsed = op.output.safeParse(data);
  if (!parsed.success) throw new InvalidResponseError(path, describeIssues(parsed.error.issues));
  return parsed.data;
};

/** The tRPC link: passes errors through, refuses any successful answer that is not the contract's shape. */
export const responseValidationLink: TRPCLink<LockboxRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) =>
      next(op).subscribe({
        next(envelope) {
          const result = envelope.result as { data?: unknown };
          try {
            const data = validateAnswer(op.path, 'data' in result ? result.data : undefined);
            observer.next({ ...envelope, result: { ...envelope.result, data } } as typeof envelope);
          } catch (err) {
            observer.error(TRPCClientError.from(err as Error));
          }
        },
        error(err) {
          observer.error(err);
        },
        complete() {
          observer.complete();
        },
      }),
    );
