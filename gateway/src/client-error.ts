/**
 * Requests Node's parser refuses (bad framing such as Content-Length with Transfer-Encoding, header
 * overflow, timeouts) get a JSON answer in the usual shape and never reach the handler or an upstream.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { rawErrorResponse } from './answers';

export const answerClientError = (err: NodeJS.ErrnoException, socket: Socket): void => {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const answer =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? rawErrorResponse('headers_too_large', 'request headers too large', requestId)
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT'
        ? rawErrorResponse('invalid_input', 'request timed out', requestId, { status: 408 })
        : rawErrorResponse('invalid_input', 'malformed HTTP request', requestId);
  socket.end(answer);
};
