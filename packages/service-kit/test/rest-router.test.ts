/** REST routing: the contract's paths and methods, path parameters, and hostile paths. */
import { restRoutesOf } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { RestRouter } from '../src/http/rest-router';
import { rawGet, toyContract, useToyService } from './helpers/toy-service';

const USER_ID = 'usr_0123456789abcdefghjkmnpqrs';

describe('RestRouter', () => {
  const router = new RestRouter(restRoutesOf(toyContract));
  const hit = (method: string, path: string) => {
    const m = router.match(method, path);
    return typeof m === 'object' ? { name: m.route.name, params: m.params } : m;
  };

  it('matches static and parameterised paths by method', () => {
    expect(hit('POST', '/echo')).toEqual({ name: 'echo', params: {} });
    expect(hit('POST', '/items')).toEqual({ name: 'create', params: {} });
    expect(hit('GET', `/items/${USER_ID}`)).toEqual({ name: 'item', params: { id: USER_ID } });
    expect(hit('DELETE', `/items/${USER_ID}`)).toEqual({ name: 'remove', params: { id: USER_ID } });
  });

  it("says 'method' when the path exists under another method", () => {
    expect(hit('GET', '/echo')).toBe('method');
    expect(hit('PUT', `/items/${USER_ID}`)).toBe('method');
  });

  it('decodes parameters once', () => {
    expect(hit('GET', '/items/a%20b')).toEqual({ name: 'item', params: { id: 'a b' } });
    expect(hit('GET', '/items/%2525')).toEqual({ name: 'item', params: { id: '%25' } });
  });

  it.each([
    '/items/a%2Fb', // an encoded slash never splits into segments
    '/items/%2F',
    '/items/%00',
    '/items/a%00b',
    '/items/%E0%A4%A', // malformed percent-encoding
    '/items/', // empty parameter
    '/items/../echo',
    '/items/a/b',
    '/echo/',
    '/echo%00',
    '/ECHO',
    '//echo',
    '/echo/..',
  ])('matches nothing for %s', (path) => {
    expect(hit('GET', path)).toBeUndefined();
  });
});

describe('REST over HTTP', () => {
  const served = useToyService();

  type ErrorJson = { error: { code: string; message: string } };

  it('answers with the contract status: 200, 201, 204 with no body', async () => {
    expect((await served.api.get(`/items/${USER_ID}`)).json).toEqual({ id: USER_ID });
    const created = await served.api.post('/items', { body: { name: 'x' } });
    expect(created.status).toBe(201);
    const removed = await served.api.del(`/items/${USER_ID}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
  });

  it('405 for a known path under another method, 404 for an unknown path', async () => {
    const wrong = await served.api.put<ErrorJson>('/items', { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.json.error.code).toBe('method_not_allowed');
    const missing = await served.api.get<ErrorJson>('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });

  it.each([
    ['/items/..', 400],
    ['/items/%2e%2e', 400],
    ['/items/not-an-id', 400],
    ['/items/..%2F..%2Fecho', 404],
    ['/items/../echo', 404],
    ['/items/%00', 404],
    ['/items/usr_%00', 404],
    ['/items/%E0%A4%A', 404],
    ['/echo%00', 404],
    ['/items/usr_0123456789abcdefghjkmnpqrs/../../echo', 404],
    ['/./echo', 404],
  ])('GET %s → %i', async (path, status) => {
    const res = await rawGet(served.toy.url, path);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(status === 400 ? 'invalid_input' : 'not_found');
  });

  it('refuses a path parameter that disagrees with the body', async () => {
    const res = await served.api.post<ErrorJson>(`/items/${USER_ID}/rename`, {
      body: { id: 'usr_other', name: 'n' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/differs/);
    const same = await served.api.post(`/items/${USER_ID}/rename`, { body: { id: USER_ID, name: 'n' } });
    expect(same.status).toBe(200);
    const fromPath = await served.api.post(`/items/${USER_ID}/rename`, { body: { name: 'n' } });
    expect(fromPath.json).toEqual({ id: USER_ID, name: 'n' });
  });

  it('refuses a repeated query parameter', async () => {
    const res = await served.api.get<ErrorJson>('/fail?kind=rate&kind=db');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/repeated/);
  });

  it.each(['__proto__', 'constructor', 'prototype', '%5F_proto__'])(
    'refuses a query parameter named %s',
    async (name) => {
      const res = await served.api.get<ErrorJson>(`/fail?kind=rate&${name}=x`);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
    },
  );

  it('refuses unknown query parameters through the strict schema', async () => {
    const res = await served.api.get<ErrorJson>('/context?admin=1');
    expect(res.status).toBe(400);
  });

  it('never routes an internal procedure over REST', async () => {
    expect((await served.api.get('/secret')).status).toBe(404);
  });
});

describe('tRPC paths over HTTP', () => {
  const served = useToyService();

  it('serves queries on GET and mutations on POST', async () => {
    const q = await served.api.get(`/trpc/item?input=${encodeURIComponent(JSON.stringify({ id: USER_ID }))}`);
    expect(q.status).toBe(200);
    expect(q.json).toEqual({ result: { data: { id: USER_ID } } });
    const m = await served.api.post('/trpc/create', { body: { name: 'y' } });
    expect(m.status).toBe(200);
    expect(m.json).toEqual({ result: { data: { name: 'y' } } });
  });

  it('refuses the wrong method with 405 and an unknown procedure with 404', async () => {
    expect((await served.api.get('/trpc/create')).status).toBe(405);
    expect((await served.api.post('/trpc/item', { body: {} })).status).toBe(405);
    expect((await served.api.get('/trpc/nope')).status).toBe(404);
    expect((await served.api.get('/trpc/toString')).status).toBe(404);
    expect((await served.api.get('/trpc/__proto__')).status).toBe(404);
  });

  it('refuses batches', async () => {
    expect((await served.api.get('/trpc/item,context')).status).toBe(400);
    expect((await served.api.get('/trpc/context?batch=1')).status).toBe(400);
  });

  it.each(['/trpc/%E0%A4%A', '/trpc/%', '/trpc/item%00'])(
    'answers %s with a 4xx, not a 5xx',
    async (path) => {
      const res = await rawGet(served.toy.url, path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    },
  );
});
