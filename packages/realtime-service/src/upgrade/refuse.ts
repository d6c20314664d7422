/**
 * Answers an upgrade request with a plain HTTP error instead of `101`, in the
 * same JSON error shape as every other LockBox answer, then drops the socket.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@lockbox/contracts';

export const refuseUpgrade = (
  socket: Duplex,
  status: number,
  code: ErrorCode,
  message: string,
  requestId: string,
  retryAfter?: number,
) => {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message, request_id: requestId } });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    ...(retryAfter !== undefined ? [`Retry-After: ${retryAfter}`] : []),
    'Cache-Control: no-store',
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // end() flushes the answer; destroy if the peer never reads it.
  setTimeout(() => socket.destroy(), 1_000).unref();
};
