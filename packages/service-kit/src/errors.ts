/**
 * AppError carries one of the contract's error codes through tRPC; `describeError`
 * turns anything thrown into that code, a client-safe message, and whether it
 * deserves an error log (5xx do, 4xx are not noise).
 */
import { appCodeFromTrpc, ERROR_CODES, type ErrorCode, errorStatus } from '@lockbox/contracts';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';

export class AppError extends TRPCError {
  readonly appCode: ErrorCode;
  readonly retryAfter: number | undefined;
  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super({ code: ERROR_CODES[code].trpc, message, cause: opts.cause });
    this.appCode = code;
    this.retryAfter = opts.retryAfter;
  }
}

/** Errors that mean "the database (or another dependency) is unreachable": 503, try again. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
]);

const isUnavailable = (err: unknown): boolean => {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Query read timeout/i.test(
        message,
      )
    )
      return true;
  }
  return false;
};

interface Issue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
  message: string;
}

/** "username: too short; password: required" from a zod / standard-schema failure. */
const describeIssues = (issues: ReadonlyArray<Issue>): string =>
  issues
    .slice(0, 5)
    .map((i) => {
      const p = (i.path ?? []).map((k) => String(typeof k === 'object' ? k.key : k)).join('.');
      return p ? `${p}: ${i.message}` : i.message;
    })
    .join('; ');

export interface DescribedError {
  code: ErrorCode;
  status: number;
  message: string;
  retryAfter?: number;
  /** Unexpected: log with its cause. */
  serverFault: boolean;
  trpcError: TRPCError;
}

export const describeError = (raw: unknown): DescribedError => {
  const err = raw instanceof TRPCError ? raw : getTRPCErrorFromUnknown(raw);
  if (err instanceof AppError) {
    return {
      code: err.appCode,
      status: errorStatus(err.appCode),
      message: err.message,
      ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
      serverFault: errorStatus(err.appCode) >= 500,
      trpcError: err,
    };
  }
  const cause = err.cause as { issues?: ReadonlyArray<Issue> } | undefined;
  if (err.code === 'BAD_REQUEST' && Array.isArray(cause?.issues)) {
    return {
      code: 'invalid_input',
      status: 400,
      message: describeIssues(cause.issues),
      serverFault: false,
      trpcError: err,
    };
  }
  if (err.code === 'INTERNAL_SERVER_ERROR' && isUnavailable(err.cause ?? err)) {
    return {
      code: 'service_unavailable',
      status: 503,
      message: 'a dependency is unavailable; try again shortly',
      retryAfter: 2,
      serverFault: true,
      trpcError: err,
    };
  }
  const code = appCodeFromTrpc(err.code);
  const status = errorStatus(code);
  return {
    code,
    status,
    // Never echo an unexpected error's own message: it may hold internals.
    message: status >= 500 ? 'internal error' : err.message,
    serverFault: status >= 500,
    trpcError: err,
  };
};
