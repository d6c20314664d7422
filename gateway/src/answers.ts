/**
 * The gateway's own answers: JSON errors in the contract's shape
 * `{"error":{"code","message","request_id"}}` and small JSON bodies, always
 * with a Content-Length and the API security headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorBody, type ErrorCode, errorStatus } from '@lockbox/contracts';
import { SECURITY_HEADERS } from './security-headers';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a complete JSON answer. `extra` is a flat [name, value, …] list
 * (CORS, Retry-After) so the hot path builds no header objects.
 */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: readonly string[] = [],
): void => {
  const payload = writeJsonHead(res, status, body, requestId, extra);
  if (payload) res.end(payload);
};

/** Writes the head of a JSON answer and returns its body, or destroys the response if it already started. */
const writeJsonHead = (
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: readonly string[],
): Buffer | undefined => {
  if (res.headersSent) {
    res.destroy();
    return undefined;
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, [
    'content-type',
    JSON_TYPE,
    'content-length',
    String(payload.length),
    'cache-control',
    'no-store',
    'x-request-id',
    requestId,
    ...SECURITY_HEADERS,
    ...extra,
  ]);
  return payload;
};

export interface ErrorOptions {
  /** Seconds; sent as the Retry-After header and in the body. */
  retryAfter?: number;
  /** Close the client connection after answering (e.g. an unread oversized body). */
  close?: boolean;
  /** Extra headers, flat [name, value, …] (CORS). */
  headers?: readonly string[];
}

export const sendError = (
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  requestId: string,
  opts: ErrorOptions = {},
): void => {
  const { status, body, extra } = errorAnswer(res, code, message, requestId, opts);
  sendJson(res, status, body, requestId, extra);
};

/** How long a refused upload may go on arriving (and be dropped) before the connection is cut anyway. */
export const LINGER_MS = 2_000;

/**
 * Refuses a request whose body is still arriving (too large, say) without
 * losing the answer: the whole answer goes out now, the rest of the upload is
 * read and dropped, and the response ends (closing the connection, with
 * `close`) once the upload is over or after LINGER_MS. Closing a socket with
 * unread bytes makes the kernel send a reset, and a reset can wipe the answer
 * from the client's buffer before it reads it — the client would see
 * "connection reset" instead of the 413 ("lingering close", as nginx does).
 */
export const refuseUpload = (req: IncomingMessage, ...refusal: Parameters<typeof sendError>): void => {
  const [res, code, message, requestId, opts = {}] = refusal;
  if (req.complete || req.destroyed) {
    sendError(res, code, message, requestId, opts);
    return;
  }
  const { status, body, extra } = errorAnswer(res, code, message, requestId, opts);
  const payload = writeJsonHead(res, status, body, requestId, extra);
  if (!payload) return;
  res.write(payload);
  req.unpipe();
  req.resume();
  const finish = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(finish, LINGER_MS);
  req.once('end', finish);
  req.once('close', finish);
};

const errorAnswer = (
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  requestId: string,
  opts: ErrorOptions,
) => {
  const body: ErrorBody = {
    error: {
      code,
      message,
      request_id: requestId,
      ...(opts.retryAfter !== undefined ? { retry_after: opts.retryAfter } : {}),
    },
  };
  const extra = [...(opts.headers ?? [])];
  if (opts.retryAfter !== undefined) extra.push('retry-after', String(opts.retryAfter));
  if (opts.close) {
    extra.push('connection', 'close');
    res.shouldKeepAlive = false;
  }
  return { status: errorStatus(code), body, extra };
};

/** An error answer written straight to a socket (upgrade requests and parser errors have no ServerResponse). */
export const rawErrorResponse = (
  code: ErrorCode,
  message: string,
  requestId: string,
  opts: { retryAfter?: number; status?: number } = {},
): string => {
  const { retryAfter } = opts;
  const status = opts.status ?? errorStatus(code);
  const body: ErrorBody = {
    error: {
      code,
      message,
      request_id: requestId,
      ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}),
    },
  };
  const payload = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
    `content-type: ${JSON_TYPE}\r\n` +
    `content-length: ${Buffer.byteLength(payload)}\r\n` +
    'cache-control: no-store\r\n' +
    'x-content-type-options: nosniff\r\n' +
    `x-request-id: ${requestId}\r\n` +
    (retryAfter !== undefined ? `retry-after: ${retryAfter}\r\n` : '') +
    'connection: close\r\n\r\n' +
    payload
  );
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
