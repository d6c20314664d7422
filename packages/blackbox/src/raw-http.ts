/**
 * HTTP/1.1 written byte by byte on a plain TCP socket, for requests a real
 * client library refuses to send (Content-Length with Transfer-Encoding, a
 * smuggled second request, a huge declared body that never comes). Writes
 * until the server answers, then reads until it closes the connection.
 */
import net from 'node:net';

export interface RawAnswer {
  /** Every response status line seen on the connection, in order. */
  statuses: number[];
  /** Everything the server sent. */
  text: string;
  /** The JSON body of the first response, when it has one. */
  json: unknown;
  /** Bytes written before the server answered (or all of them). */
  bytesSent: number;
}

const firstJson = (text: string): unknown => {
  const start = text.indexOf('\r\n\r\n');
  if (start === -1) return undefined;
  const end = text.indexOf('HTTP/1.', start);
  try {
    return JSON.parse(text.slice(start + 4, end === -1 ? undefined : end));
  } catch {
    return undefined;
  }
};

/**
 * Sends `parts` (strings are latin1, so header bytes stay as written) to the
 * host of `baseUrl`, stopping early once an answer arrives; resolves when the
 * server closes the connection, rejects after `timeoutMs`.
 */
export const rawExchange = (
  baseUrl: string,
  parts: Iterable<string | Buffer>,
  timeoutMs = 15_000,
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    const received: Buffer[] = [];
    let bytesSent = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${Buffer.concat(received).toString('latin1')}`));
    }, timeoutMs);
    socket.on('data', (chunk) => received.push(chunk));
    // A server that answers and closes while we still write makes our writes fail: the answer is what counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('latin1');
      const statuses = [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
      resolve({ statuses, text, json: firstJson(text), bytesSent });
    });
    socket.once('connect', async () => {
      for (const part of parts) {
        if (received.length > 0 || socket.destroyed || !socket.writable) break;
        const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
        bytesSent += bytes.length;
        if (!socket.write(bytes))
          await new Promise<void>((r) => {
            socket.once('drain', r);
            socket.once('close', r);
          });
        // Let an answer that has arrived be seen before the next part goes out.
        else await new Promise((r) => setImmediate(r));
      }
    });
  });

/** A request head: request line, `Host`, the given header lines, blank line. */
export const requestHead = (method: string, path: string, baseUrl: string, headerLines: string[]): string =>
  `${method} ${path} HTTP/1.1\r\nHost: ${new URL(baseUrl).host}\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n`;
