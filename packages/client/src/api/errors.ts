/**
 * Errors from the API as one type: the server's error code (contracts'
 * ErrorCode), its HTTP status and request id, `network` when no answer came, or
 * `invalid_response` when the answer did not match the contract (see
 * response-validation.ts: such an answer is never handed on as data).
 * Callers branch on `code`; the message is the server's, fit to show a user.
 */
import { type ErrorCode, isErrorCode } from '@lockbox/contracts';
import { TRPCClientError } from '@trpc/client';
import { InvalidResponseError } from './response-validation';

export type ApiErrorCode = ErrorCode | 'network' | 'invalid_response';

export class LockboxApiError extends Error {
  override readonly name = 'LockboxApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number | undefined,
    readonly requestId?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

interface ErrorData {
  app_code?: unknown;
  httpStatus?: number;
  request_id?: string;
  retry_after?: number;
}

export const toApiError = (err: unknown): LockboxApiError => {
  if (err instanceof LockboxApiError) return err;
  if (err instanceof InvalidResponseError)
    return new LockboxApiError('invalid_response', err.message, undefined);
  if (err instanceof TRPCClientError) {
    if (err.cause instanceof InvalidResponseError)
      return new LockboxApiError('invalid_response', err.cause.message, undefined);
    const data = (err.data ?? undefined) as ErrorData | undefined;
    if (data && isErrorCode(data.app_code))
      return new LockboxApiError(
        data.app_code,
        err.message,
        data.httpStatus,
        data.request_id,
        data.retry_after,
      );
    // No tRPC error body: the gateway (or a proxy) answered with its own JSON, or nothing came back.
    const meta = err.meta as { response?: { status?: number } } | undefined;
    const status = meta?.response?.status;
    if (status !== undefined)
      return new LockboxApiError(status >= 500 ? 'bad_gateway' : 'invalid_input', err.message, status);
    return new LockboxApiError('network', `cannot reach the server: ${err.message}`, undefined);
  }
  return new LockboxApiError('network', (err as Error)?.message ?? String(err), undefined);
};

/** Runs an API call and rethrows whatever it throws as a LockboxApiError. */
export const call = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
};
