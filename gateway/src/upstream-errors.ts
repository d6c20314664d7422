/**
 * What went wrong talking to an upstream, and what the client hears:
 * - refused: nothing was sent (connection refused, unreachable, connect timeout)
 *   → the instance is ejected for a while, another one is tried, else 503 + Retry-After;
 * - timeout: no headers (or no next body chunk) within the upstream timeout → 504;
 * - reset: the connection broke after the request went out → 502;
 * - bad_response: the upstream's answer was not valid HTTP → 502.
 * The kind also labels the `lockbox_gateway_upstream_errors_total` metric.
 */
import type { ErrorCode } from '@lockbox/contracts';

export type UpstreamErrorKind = 'refused' | 'timeout' | 'reset' | 'bad_response';

const REFUSED_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'ECONNABORTED']);

const codeOf = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
};

export const classifyUpstreamError = (err: unknown): UpstreamErrorKind => {
  const code = codeOf(err);
  if (code === undefined) return 'bad_response';
  if (REFUSED_CODES.has(code)) return 'refused';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (RESET_CODES.has(code)) return 'reset';
  return 'bad_response';
};

export const ANSWER_FOR: Record<UpstreamErrorKind, { code: ErrorCode; message: string }> = {
  refused: { code: 'service_unavailable', message: 'the service is unavailable; retry shortly' },
  timeout: { code: 'gateway_timeout', message: 'the service did not answer in time' },
  reset: { code: 'bad_gateway', message: 'the service closed the connection' },
  bad_response: { code: 'bad_gateway', message: 'the service sent an invalid answer' },
};

/** Seconds a client is asked to wait when no instance can take the request. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;
