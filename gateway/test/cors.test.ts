import { client } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startGateway, startUpstream, type TestGateway } from './helpers';

const ALLOWED = 'https://app.lockbox.example';

describe('CORS', () => {
  let auth: FakeUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    auth = await startUpstream();
    gw = await startGateway({
      AUTH_UPSTREAMS: auth.url,
      LOCKBOX_CORS_ORIGINS: `${ALLOWED},http://localhost:8000`,
    });
  });
  afterAll(async () => {
    await gw.close();
    await auth.close();
  });

  it('echoes an allowed origin with credentials and Vary, never *', async () => {
    const res = await client(gw.url).get('/auth/me', { headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/);
  });

  it('gives a disallowed origin no CORS headers', async () => {
    const res = await client(gw.url).get('/auth/me', { headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('adds CORS headers to the gateway’s own errors too', async () => {
    const res = await client(gw.url).get('/trpc/internal.x', { headers: { origin: ALLOWED } });
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('answers a preflight from an allowed origin itself (204), without forwarding', async () => {
    const before = auth.received.length;
    const res = await client(gw.url).request('OPTIONS', '/auth/login', {
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/content-type/);
    expect(auth.received.length).toBe(before);
  });

  it('refuses a preflight from another origin with 403', async () => {
    const before = auth.received.length;
    const res = await client(gw.url).request('OPTIONS', '/auth/login', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.json).toMatchObject({ error: { code: 'forbidden' } });
    expect(auth.received.length).toBe(before);
  });

  it('treats the literal "null" origin as not allowed', async () => {
    const res = await client(gw.url).request('OPTIONS', '/auth/login', {
      headers: { origin: 'null', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(403);
  });
});

describe('CORS configuration', () => {
  it('refuses "*" in the allow-list', async () => {
    await expect(startGateway({ LOCKBOX_CORS_ORIGINS: '*' })).rejects.toThrow(/never allowed|origin/);
  });
});
