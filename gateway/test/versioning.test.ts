/**
 * `/v1/...`: every public route of every registered contract (REST, tRPC and
 * the WebSocket) answers the same with and without the version, and the
 * service sees the unversioned path; outside the API, `/v1` is a JSON 404.
 */
import {
  API_BASE_PATH,
  flattenContract,
  publicTreeOf,
  restRoutesOf,
  type ServiceName,
  serviceContracts,
} from '@lockbox/contracts';
import { client } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type FakeUpstream,
  rawRequest,
  startGateway,
  startUpstream,
  statusOf,
  type TestGateway,
} from './helpers';

/** Every public route, with path parameters filled in: [label, method, path, service]. */
const publicRoutes = serviceContracts.flatMap(({ service, tree }) => {
  const pub = publicTreeOf(tree);
  if (!pub) return [];
  const rest = restRoutesOf(pub).map(
    ({ rest: r }) =>
      [`${r.method} ${r.path}`, r.method, r.path.replace(/\{[a-z_]+\}/g, 'x1'), service] as const,
  );
  const trpc = flattenContract(pub).map(
    ({ name, op }) =>
      [`tRPC ${name}`, op.kind === 'query' ? 'GET' : 'POST', `/trpc/${name}`, service] as const,
  );
  return [...rest, ...trpc];
});

describe('the API under /v1', () => {
  const upstreams = {} as Record<ServiceName, FakeUpstream>;
  let wss: WebSocketServer;
  let gw: TestGateway;

  beforeAll(async () => {
    // Each answer names the service and echoes what it received, so two answers compare exactly.
    for (const s of ['auth', 'messages', 'realtime'] as const)
      upstreams[s] = await startUpstream((req, res, body) => {
        const payload = JSON.stringify({ service: s, method: req.method, url: req.url, body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(payload);
      });
    wss = new WebSocketServer({ noServer: true });
    upstreams.realtime.server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => ws.send(`path:${req.url}`)),
    );
    gw = await startGateway({
      AUTH_UPSTREAMS: upstreams.auth.url,
      MESSAGES_UPSTREAMS: upstreams.messages.url,
      REALTIME_UPSTREAMS: upstreams.realtime.url,
    });
  });
  afterAll(async () => {
    await gw.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    await Promise.all(Object.values(upstreams).map((u) => u.close()));
  });

  it('covers the registry (REST and tRPC of every service)', () => {
    expect(publicRoutes.length).toBeGreaterThan(20);
    expect(new Set(publicRoutes.map(([, , , s]) => s))).toEqual(new Set(['auth', 'messages']));
  });

  it.each(publicRoutes)('%s answers the same under /v1', async (_label, method, path, service) => {
    const api = client(gw.url);
    const query = method === 'GET' ? '?input=%7B%7D' : '';
    const body = method === 'GET' ? undefined : { a: 1 };
    const plain = await api.request(method, `${path}${query}`, { body });
    const versioned = await api.request(method, `${API_BASE_PATH}${path}${query}`, { body });
    expect(plain.status).toBe(201);
    expect(versioned.status).toBe(plain.status);
    // The same service got the same unversioned path, query and body.
    expect(versioned.json).toEqual(plain.json);
    expect(versioned.json).toMatchObject({ service, url: `${path}${query}` });
  });

  it('upgrades /v1/ws to the realtime service as /ws, query kept', async () => {
    for (const path of ['/ws?after=3', `${API_BASE_PATH}/ws?after=3`]) {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`);
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(data.toString()));
        ws.once('error', reject);
      });
      ws.close();
      expect(first, path).toBe('path:/ws?after=3');
    }
  });

  it('refuses /v1/v1/ws and /v1x/ws upgrades', async () => {
    for (const path of [`${API_BASE_PATH}${API_BASE_PATH}/ws`, '/v1x/ws']) {
      const raw = await rawRequest(
        gw.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      expect(statusOf(raw), path).toBe(404);
    }
  });

  it('anything under /v1 that is not the API is a JSON 404, never forwarded or the web app', async () => {
    const api = client(gw.url);
    const forwarded = () => Object.values(upstreams).reduce((n, u) => n + u.received.length, 0);
    const before = forwarded();
    for (const path of [
      API_BASE_PATH,
      `${API_BASE_PATH}/`,
      `${API_BASE_PATH}${API_BASE_PATH}/auth/login`,
      `${API_BASE_PATH}/health`,
      `${API_BASE_PATH}/openapi.json`,
      `${API_BASE_PATH}/docs`,
      `${API_BASE_PATH}/metrics`,
      `${API_BASE_PATH}/index.html`,
      `${API_BASE_PATH}/trpc/internal.userById`,
    ]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.json, path).toMatchObject({ error: { code: 'not_found' } });
    }
    expect(forwarded()).toBe(before);
  });

  it('refuses dot segments inside /v1 before stripping the version hides them', async () => {
    const raw = await rawRequest(
      gw.port,
      `GET ${API_BASE_PATH}/auth/../trpc/internal.x HTTP/1.1\r\nHost: x\r\n\r\n`,
      300,
    );
    expect(statusOf(raw)).toBe(400);
    const parent = await rawRequest(
      gw.port,
      `GET ${API_BASE_PATH}/../auth/me HTTP/1.1\r\nHost: x\r\n\r\n`,
      300,
    );
    expect(statusOf(parent)).toBe(400);
  });

  it('a path that only starts with the letters of the version is not versioned', async () => {
    // `/v1x/...` is an ordinary unknown path: for POST the usual 404.
    const res = await client(gw.url).post('/v1x/auth/login', { body: {} });
    expect(res.status).toBe(404);
  });
});
