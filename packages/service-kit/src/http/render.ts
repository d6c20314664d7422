/**
 * Writes answers: one JSON buffer with a Content-Length, a success in the
 * wire form it was asked in, and any error as the tRPC error shape (tRPC
 * paths) or the REST error body (API.md).
 */
import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '@lockbox/contracts';
import { type AnyTRPCRouter, getTRPCErrorShape } from '@trpc/server';
import type { BaseContext } from '../context';
import { describeError } from '../errors';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export const sendJson = (
  res: ServerResponse,
  status: number,
  payload: unknown,
  extra?: Record<string, string>,
) => {
  if (status === 204) {
    res.writeHead(204, extra);
    res.end();
    return;
  }
  const body = JSON.stringify(payload);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
};

/** A procedure's result: `{ result: { data } }` on a tRPC path, the bare value over REST. */
export const sendResult = (res: ServerResponse, status: number, data: unknown, trpc: boolean) =>
  sendJson(res, status, trpc ? { result: { data: data ?? null } } : data);

/**
 * Answers anything thrown with its status and returns that status. Server
 * faults are logged; a 413 closes the connection, since the rest of the body
 * was never read.
 */
export const sendFailure = (
  res: ServerResponse,
  err: unknown,
  ctx: BaseContext,
  router: AnyTRPCRouter,
  trpcPath: string | undefined,
): number => {
  const d = describeError(err);
  if (d.serverFault) ctx.log.error({ err: d.trpcError.cause ?? d.trpcError, code: d.code }, 'request failed');
  const headers: Record<string, string> =
    d.retryAfter !== undefined ? { 'retry-after': String(d.retryAfter) } : {};
  if (d.code === 'payload_too_large') headers.connection = 'close';
  if (trpcPath !== undefined) {
    const shape = getTRPCErrorShape({
      config: router._def._config,
      error: d.trpcError,
      type: 'unknown',
      path: trpcPath,
      input: undefined,
      ctx,
    });
    sendJson(res, d.status, { error: shape }, headers);
  } else {
    const body: ErrorBody = {
      error: {
        code: d.code,
        message: d.message,
        request_id: ctx.requestId,
        ...(d.retryAfter !== undefined ? { retry_after: d.retryAfter } : {}),
      },
    };
    sendJson(res, d.status, body, headers);
  }
  return d.status;
};
