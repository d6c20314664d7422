import http from 'node:http';
import { client } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  GATEWAY_TOKEN,
  rawRequest,
  startGateway,
  startUpstream,
  statusOf,
  type TestGateway,
} from './helpers';

describe('header hygiene and request limits', () => {
  let auth: FakeUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    auth = await startUpstream((_req, res, body) => {
      const out = JSON.stringify({ length: body.length });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(out),
        'access-control-allow-origin': '*',
        'x-lockbox-internal': 'leak',
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end(out);
    });
    gw = await startGateway({ AUTH_UPSTREAMS: auth.url, LOCKBOX_BODY_LIMIT: '2048' });
  });
  afterAll(async () => {
    await gw.close();
    await auth.close();
  });

  it('strips spoofable headers and adds the gateway ones', async () => {
    const res = await client(gw.url).get('/auth/me', {
      headers: {
        'x-user-id': 'usr_admin',
        'X-Forwarded-For': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'for=6.6.6.6',
        'x-real-ip': '6.6.6.6',
        'x-lockbox-gateway': 'forged',
        'x-lockbox-internal': 'forged',
        'X-LockBox-Client-IP': '6.6.6.6',
        'x-lockbox-anything': '1',
        authorization: 'Bearer abc',
        'x-custom': 'kept',
      },
    });
    expect(res.status).toBe(200);
    const seen = auth.received.at(-1)?.headers ?? {};
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBeUndefined();
    expect(seen.forwarded).toBeUndefined();
    expect(seen['x-real-ip']).toBeUndefined();
    expect(seen['x-lockbox-internal']).toBeUndefined();
    expect(seen['x-lockbox-anything']).toBeUndefined();
    expect(seen['x-lockbox-gateway']).toBe(GATEWAY_TOKEN);
    expect(seen['x-lockbox-client-ip']).toBe('127.0.0.1');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.authorization).toBe('Bearer abc');
    expect(seen['x-custom']).toBe('kept');
    expect(seen['x-request-id']).toBe(res.headers['x-request-id']);
  });

  it('reports the socket address, not a header, even from another local address', async () => {
    await client(gw.url).get('/auth/me', {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.1' },
    });
    const seen = auth.received.at(-1)?.headers ?? {};
    expect(seen['x-lockbox-client-ip']).toBe('127.0.0.2');
    expect(seen['x-forwarded-for']).toBe('127.0.0.2');
  });

  it('drops headers named in Connection (hop-by-hop)', async () => {
    await client(gw.url).get('/auth/me', {
      headers: { connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1' },
    });
    expect(auth.received.at(-1)?.headers['x-secret-hop']).toBeUndefined();
  });

  it('keeps a well-formed client request id, replaces a bad one, echoes it', async () => {
    const kept = await client(gw.url).get('/auth/me', { headers: { 'x-request-id': 'abc-123_X.y' } });
    expect(kept.headers['x-request-id']).toBe('abc-123_X.y');
    expect(auth.received.at(-1)?.headers['x-request-id']).toBe('abc-123_X.y');
    const bad = await client(gw.url).get('/auth/me', { headers: { 'x-request-id': 'no spaces/or slashes' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(auth.received.at(-1)?.headers['x-request-id']).toBe(bad.headers['x-request-id']);
    const errorAnswer = await client(gw.url).get('/trpc/internal.x', {
      headers: { 'x-request-id': 'rid-7' },
    });
    expect(errorAnswer.headers['x-request-id']).toBe('rid-7');
    expect(errorAnswer.json).toMatchObject({ error: { request_id: 'rid-7' } });
  });

  it('cleans the answer: no upstream CORS or internal headers, security headers added', async () => {
    const res = await client(gw.url).get('/auth/me');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-lockbox-internal']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('forwards a body within the limit', async () => {
    const res = await client(gw.url).post('/auth/login', {
      body: { username: 'a', password: 'x'.repeat(100) },
    });
    expect(res.status).toBe(200);
    expect(auth.received.at(-1)?.body).toContain('"username":"a"');
  });

  it('refuses a body over the limit by Content-Length, before forwarding', async () => {
    const before = auth.received.length;
    const res = await client(gw.url).post('/auth/login', { body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(auth.received.length).toBe(before);
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const before = auth.received.length;
    const { port } = new URL(gw.url);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/auth/login',
          headers: { 'content-type': 'text/plain' },
        },
        (r) => {
          let body = '';
          r.on('data', (c) => {
            body += c;
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // No Content-Length: Node sends it chunked. 8 × 1 KiB > 2 KiB limit.
      for (let i = 0; i < 8; i++) req.write('y'.repeat(1024));
      req.end();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    // The upstream never saw a complete request.
    expect(auth.received.length).toBe(before);
  });

  it('passes a small chunked body through', async () => {
    const { port } = new URL(gw.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/auth/login' }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('hello ');
      req.end('world');
    });
    expect(status).toBe(200);
    expect(auth.received.at(-1)?.body).toBe('hello world');
  });

  it('answers 431 to more than 100 headers', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 101; i++) headers[`x-h${i}`] = 'v';
    const before = auth.received.length;
    const res = await client(gw.url).get('/auth/me', { headers });
    expect(res.status).toBe(431);
    expect(res.json).toMatchObject({ error: { code: 'headers_too_large' } });
    expect(auth.received.length).toBe(before);
  });

  it('accepts exactly 100 headers', async () => {
    const headers: Record<string, string> = {};
    // host and connection make two more
    for (let i = 0; i < 98; i++) headers[`x-h${i}`] = 'v';
    const res = await client(gw.url).get('/auth/me', { headers });
    expect(res.status).toBe(200);
  });

  it('refuses Content-Length with Transfer-Encoding and forwards nothing (raw socket)', async () => {
    const before = auth.received.length;
    const raw = await rawRequest(
      gw.port,
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '0\r\n\r\nPOST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
    );
    expect(statusOf(raw)).toBe(400);
    expect(raw).toContain('"code":"invalid_input"');
    // Exactly one answer: the smuggled second request was never parsed.
    expect(raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(auth.received.length).toBe(before);
  });

  it('refuses a Transfer-Encoding it cannot frame (raw socket)', async () => {
    const before = auth.received.length;
    const raw = await rawRequest(
      gw.port,
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, identity\r\n\r\nabc',
    );
    expect(statusOf(raw)).toBe(400);
    expect(auth.received.length).toBe(before);
  });
});
