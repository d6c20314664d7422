/**
 * The load generator's HTTP client: node:http on one keep-alive agent (a
 * bench's sends must not pay a TCP handshake each), answers as status + body,
 * and never throws — a network error or a timeout is status 0.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

export interface HttpAnswer {
  status: number;
  body: string;
}

export const httpCall = (
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
  token?: string,
  timeoutMs = 15_000,
): Promise<HttpAnswer> =>
  new Promise((resolve) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        headers: {
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(payload);
  });

/** The parsed JSON answer, or an error naming the step when the status is not `status`. */
export const must = async (p: Promise<HttpAnswer>, status: number, what: string) => {
  const r = await p;
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status} ${r.body.slice(0, 200)}`);
  return r.body ? JSON.parse(r.body) : undefined;
};

/** Closes the agent's idle sockets (the end of a bench). */
export const closeHttp = () => agent.destroy();
