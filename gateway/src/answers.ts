/**
 * The gateway's own answers: JSON errors in the contract's shape
 * `{"error":{"code","message","request_id"}}` and small JSON bodies, always
 * with a Content-Length and the API security headers.
 */
import type { ServerResponse } from 'node:http';
import { type ErrorBody, type ErrorCode, errorStatus } from '@lockbox/contracts';

/** Headers every API answer carries (the gateway's own and the proxied ones). */
export const API_SECURITY_HEADERS: readonly string[] = [
  'x-content-type-options',
  'nosniff',
  'referrer-policy',
  'no-referrer',
  'x-frame-options',
  'DENY',
];

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
  if (res.headersSent) {
    res.destroy();
    return;
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
    ...API_SECURITY_HEADERS,
    ...extra,
  ]);
  res.end(payload);
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
  sendJson(res, errorStatus(code), body, requestId, extra);
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
