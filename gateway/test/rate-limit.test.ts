import { randomBytes } from 'node:crypto';
import { client } from '@lockbox/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startGateway, startUpstream, type TestGateway } from './helpers';

describe('per-IP rate limit', () => {
  let auth: FakeUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    auth = await startUpstream();
    gw = await startGateway({ AUTH_UPSTREAMS: auth.url, RL_GATEWAY_PER_IP: '5', RL_GATEWAY_WINDOW_S: '60' });
  });
  afterAll(async () => {
    await gw.close();
    await auth.close();
  });

  it('answers 429 with Retry-After past the limit, without forwarding', async () => {
    const api = client(gw.url);
    const from = { localAddress: '127.0.0.3' };
    for (let i = 0; i < 5; i++) expect((await api.get('/auth/me', from)).status).toBe(200);
    const before = auth.received.length;
    const res = await api.get('/auth/me', from);
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json).toMatchObject({ error: { code: 'rate_limited', retry_after: expect.any(Number) } });
    expect(auth.received.length).toBe(before);
  });

  it('keys on the socket address: forwarded headers do not dodge it', async () => {
    const api = client(gw.url);
    const from = { localAddress: '127.0.0.4' };
    for (let i = 0; i < 5; i++) await api.get('/auth/me', from);
    const spoofed = await api.get('/auth/me', {
      ...from,
      headers: { 'x-forwarded-for': '10.9.8.7', 'x-real-ip': '10.9.8.7', forwarded: 'for=10.9.8.7' },
    });
    expect(spoofed.status).toBe(429);
    // Another address has its own budget.
    expect((await api.get('/auth/me', { localAddress: '127.0.0.5' })).status).toBe(200);
  });

  it('does not count the gateway’s own endpoints', async () => {
    const api = client(gw.url);
    const from = { localAddress: '127.0.0.6' };
    for (let i = 0; i < 10; i++) expect((await api.get('/openapi.json', from)).status).toBe(200);
    expect((await api.get('/auth/me', from)).status).toBe(200);
  });
});

describe.skipIf(!process.env.REDIS_URL)('per-IP rate limit shared through Redis', () => {
  it('two gateways on one Redis share the budget', async () => {
    const auth = await startUpstream();
    const redis = new Redis(process.env.REDIS_URL as string, { maxRetriesPerRequest: 1 });
    const env = {
      AUTH_UPSTREAMS: auth.url,
      RL_GATEWAY_PER_IP: '4',
      RL_GATEWAY_WINDOW_S: '60',
      LOCKBOX_REDIS_PREFIX: `gwtest${randomBytes(4).toString('hex')}`,
    };
    const one = await startGateway(env, { redis });
    const two = await startGateway(env, { redis });
    try {
      const from = { localAddress: '127.0.0.7' };
      for (let i = 0; i < 2; i++) expect((await client(one.url).get('/auth/me', from)).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await client(two.url).get('/auth/me', from)).status).toBe(200);
      const over = await client(one.url).get('/auth/me', from);
      expect(over.status).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await one.close();
      await two.close();
      await auth.close();
      redis.disconnect();
    }
  });
});
