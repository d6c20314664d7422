import { client } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable } from '../src/route-table';
import { type FakeUpstream, startGateway, startUpstream, type TestGateway } from './helpers';

describe('route table', () => {
  const table = new RouteTable(
    [
      { prefix: '/auth', service: 'auth' },
      { prefix: '/auth/admin', service: 'messages' },
      { prefix: '/ws', service: 'realtime' },
    ],
    { auth: 'auth', keys: 'auth' },
  );
  const service = (path: string, search = '') => {
    const r = table.resolve(path, search);
    return r.kind === 'proxy' ? r.service : r.kind;
  };

  it('takes the longest matching prefix, on whole segments only', () => {
    expect(service('/auth/login')).toBe('auth');
    expect(service('/auth')).toBe('auth');
    expect(service('/auth/admin/x')).toBe('messages');
    expect(service('/auth/administrator')).toBe('auth');
    expect(service('/authx')).toBe('web');
    expect(service('/ws')).toBe('realtime');
    expect(service('/ws/usr_1')).toBe('realtime');
    expect(service('/wsx')).toBe('web');
  });

  it('sends public tRPC namespaces to their service and refuses the rest', () => {
    expect(service('/trpc/auth.login')).toBe('auth');
    expect(service('/trpc/keys.get')).toBe('auth');
    const internal = table.resolve('/trpc/internal.userById', '');
    expect(internal).toMatchObject({ kind: 'refuse', code: 'not_found' });
    expect(table.resolve('/trpc/%69nternal.userById', '')).toMatchObject({
      kind: 'refuse',
      code: 'not_found',
    });
    expect(table.resolve('/trpc/constructor.x', '')).toMatchObject({ kind: 'refuse', code: 'not_found' });
    expect(table.resolve('/trpc/__proto__.x', '')).toMatchObject({ kind: 'refuse', code: 'not_found' });
  });

  it('refuses batched tRPC calls', () => {
    expect(table.resolve('/trpc/auth.login,auth.me', '')).toMatchObject({
      kind: 'refuse',
      code: 'invalid_input',
    });
    expect(table.resolve('/trpc/auth.login%2Cinternal.x', '')).toMatchObject({
      kind: 'refuse',
      code: 'invalid_input',
    });
    expect(table.resolve('/trpc/auth.me', 'batch=1')).toMatchObject({
      kind: 'refuse',
      code: 'invalid_input',
    });
  });

  it('refuses dot segments and encoded separators', () => {
    for (const p of ['/auth/../trpc/internal.x', '/auth/%2e%2e/x', '/auth/./me', '/auth\\..', '/auth/%00'])
      expect(table.resolve(p, '')).toMatchObject({ kind: 'refuse', code: 'invalid_input' });
  });

  it('knows its own endpoints', () => {
    expect(service('/health')).toBe('health');
    // Not public: the admin listener serves it; here a JSON 404, not the web app.
    expect(table.resolve('/metrics', '')).toMatchObject({ kind: 'refuse', code: 'not_found' });
    expect(service('/openapi.json')).toBe('openapi');
    expect(service('/docs')).toBe('docs');
    expect(service('/docs/swagger-ui.css')).toBe('docs');
    expect(service('/')).toBe('web');
  });
});

describe('routing through the gateway', () => {
  let auth: FakeUpstream;
  let messages: FakeUpstream;
  let gw: TestGateway;

  beforeAll(async () => {
    auth = await startUpstream();
    messages = await startUpstream();
    gw = await startGateway({ AUTH_UPSTREAMS: auth.url, MESSAGES_UPSTREAMS: messages.url });
  });
  afterAll(async () => {
    await gw.close();
    await auth.close();
    await messages.close();
  });

  it('sends each public prefix to its service, path and query untouched', async () => {
    const api = client(gw.url);
    for (const [path, upstream] of [
      ['/auth/login', auth],
      ['/users/search?q=al&limit=5', auth],
      ['/messages/conversation/usr_1?before=9', messages],
      ['/chat-requests/incoming', messages],
      ['/contacts', messages],
      ['/trpc/auth.me?input=%7B%7D', auth],
    ] as const) {
      const before = upstream.received.length;
      const res = await api.get(path);
      expect(res.status, path).toBe(200);
      expect(upstream.received.length, path).toBe(before + 1);
      expect(upstream.received.at(-1)?.url).toBe(path);
    }
  });

  it('answers 404 for internal tRPC namespaces without forwarding', async () => {
    const before = auth.received.length + messages.received.length;
    const res = await client(gw.url).post('/trpc/internal.userById', { body: { id: 'usr_1' } });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'not_found', request_id: expect.any(String) } });
    expect(auth.received.length + messages.received.length).toBe(before);
  });

  it('answers 400 for batched tRPC without forwarding', async () => {
    const before = auth.received.length;
    const a = await client(gw.url).get('/trpc/auth.me,auth.me?batch=1&input=%7B%7D');
    const b = await client(gw.url).get('/trpc/auth.me?batch=1');
    expect(a.status).toBe(400);
    expect(b.status).toBe(400);
    expect(a.json).toMatchObject({ error: { code: 'invalid_input' } });
    expect(auth.received.length).toBe(before);
  });

  it('answers unknown paths with a 404 JSON error', async () => {
    const res = await client(gw.url).post('/nope', { body: {} });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('answers 503 service_unavailable for a service that is off', async () => {
    const res = await client(gw.url).get('/ws');
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: { code: 'service_unavailable' } });
  });

  it('refuses methods it does not proxy', async () => {
    const res = await client(gw.url).request('TRACE', '/auth/me');
    expect(res.status).toBe(405);
  });
});
