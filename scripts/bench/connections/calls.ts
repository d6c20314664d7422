/**
 * The parent's HTTP calls: registering users through the gateway, and
 * realtime's internal procedures (socket count, broadcast) with the internal
 * credential.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { INTERNAL_HEADER } from '@lockbox/service-kit';

export const post = (port: number, p: string, body: unknown, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });

/** The sockets a realtime instance says it holds (-1: it did not answer). */
export const connectionsOf = async (rtPort: number, internalToken: string) =>
  new Promise<number>((resolve) => {
    http
      .get(
        {
          host: '127.0.0.1',
          port: rtPort,
          path: '/trpc/internal.connections',
          headers: { [INTERNAL_HEADER]: internalToken },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve(JSON.parse(text).result?.data?.sockets ?? -1));
        },
      )
      .on('error', () => resolve(-1));
  });

export const broadcastNotice = (rtPort: number, internalToken: string, message: string) =>
  post(
    rtPort,
    '/trpc/internal.broadcast',
    { event: { type: 'notice', data: { message } } },
    {
      [INTERNAL_HEADER]: internalToken,
    },
  );

/** Registers `count` more users through the gateway, four at a time, and keeps their access tokens. */
export const registerUsers = async (
  gatewayPort: number,
  tokens: string[],
  count: number,
  progress: (m: string) => void,
) => {
  progress(`registering ${count} users (argon2id per registration: this takes a while)…`);
  let next = tokens.length;
  const goal = tokens.length + count;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < goal) {
        next++;
        const username = `c_${randomBytes(6).toString('hex')}`;
        const res = await post(gatewayPort, '/auth/register', {
          username,
          password: `pw-${username}-bench`,
        });
        if (res.status !== 201) throw new Error(`register: ${res.status} ${res.body.slice(0, 200)}`);
        tokens.push(JSON.parse(res.body).access_token as string);
        if (tokens.length % 100 === 0) progress(`  ${tokens.length} users`);
      }
    }),
  );
};
