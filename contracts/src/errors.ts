/**
 * The one error-code list of LockBox. Each code maps once to an HTTP status
 * and a tRPC code; services throw `AppError(code)` and every transport
 * (REST, tRPC, gateway) renders `{ error: { code, message, request_id } }`.
 */
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

export const ERROR_CODES = {
  invalid_input: { status: 400, trpc: 'BAD_REQUEST' },
  invalid_json: { status: 400, trpc: 'PARSE_ERROR' },
  unauthorized: { status: 401, trpc: 'UNAUTHORIZED' },
  invalid_credentials: { status: 401, trpc: 'UNAUTHORIZED' },
  token_expired: { status: 401, trpc: 'UNAUTHORIZED' },
  forbidden: { status: 403, trpc: 'FORBIDDEN' },
  not_found: { status: 404, trpc: 'NOT_FOUND' },
  method_not_allowed: { status: 405, trpc: 'METHOD_NOT_SUPPORTED' },
  conflict: { status: 409, trpc: 'CONFLICT' },
  username_taken: { status: 409, trpc: 'CONFLICT' },
  payload_too_large: { status: 413, trpc: 'PAYLOAD_TOO_LARGE' },
  unsupported_media_type: { status: 415, trpc: 'UNSUPPORTED_MEDIA_TYPE' },
  headers_too_large: { status: 431, trpc: 'BAD_REQUEST' },
  rate_limited: { status: 429, trpc: 'TOO_MANY_REQUESTS' },
  internal: { status: 500, trpc: 'INTERNAL_SERVER_ERROR' },
  bad_gateway: { status: 502, trpc: 'BAD_GATEWAY' },
  service_unavailable: { status: 503, trpc: 'SERVICE_UNAVAILABLE' },
  gateway_timeout: { status: 504, trpc: 'GATEWAY_TIMEOUT' },
} as const satisfies Record<string, { status: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorStatus = (code: ErrorCode): number => ERROR_CODES[code].status;

/** Default code for a tRPC code, when an error did not carry one of ours. */
const TRPC_TO_APP: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: 'invalid_json',
  BAD_REQUEST: 'invalid_input',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  METHOD_NOT_SUPPORTED: 'method_not_allowed',
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  TOO_MANY_REQUESTS: 'rate_limited',
  BAD_GATEWAY: 'bad_gateway',
  SERVICE_UNAVAILABLE: 'service_unavailable',
  GATEWAY_TIMEOUT: 'gateway_timeout',
};

export const appCodeFromTrpc = (code: TRPC_ERROR_CODE_KEY): ErrorCode => TRPC_TO_APP[code] ?? 'internal';

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; retry_after?: number };
}
