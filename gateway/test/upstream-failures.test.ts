import net from 'node:net';
import { client, eventually } from '@lockbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { deadPort, type FakeUpstream, startGateway, startUpstream, type TestGateway } from './helpers';

/** A TCP server that does `onConnection` with every socket (to misbehave below HTTP). */
const startRawUpstream = async (onConnection: (socket: net.Socket) => void) => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

/** Answers /ready, and treats any other request with `misbehave`. */
const httpishUpstream = (misbehave: (socket: net.Socket) => void) =>
  startRawUpstream((socket) => {
    socket.once('data', (chunk) => {
      if (chunk.toString().startsWith('GET /ready ')) {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        return;
      }
      misbehave(socket);
    });
  });

describe('upstream failures', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  const gateway = async (env: Record<string, string>): Promise<TestGateway> => {
    const gw = await startGateway(env);
    cleanups.push(() => gw.close());
    return gw;
  };

  it('answers 502 when the upstream resets before answering, and stays up', async () => {
    const up = await httpishUpstream((socket) => socket.resetAndDestroy());
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url });
    const res = await client(gw.url).post('/auth/login', { body: { a: 1 } });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: 'bad_gateway', request_id: expect.any(String) } });
    expect((await client(gw.url).get('/health')).status).toBeGreaterThan(0); // still serving
  });

  it('answers 502 when the upstream breaks off mid-answer', async () => {
    const up = await httpishUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-le');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url });
    const res = await client(gw.url).get('/auth/me');
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: 'bad_gateway' } });
  });

  it('answers 502 to a reply that is not HTTP', async () => {
    const up = await httpishUpstream((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url });
    const res = await client(gw.url).post('/auth/login', { body: {} });
    expect(res.status).toBe(502);
  });

  it('cuts the client connection when the body breaks off after the headers went out', async () => {
    const up = await httpishUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url });
    await expect(client(gw.url).get('/auth/me')).rejects.toThrow();
    expect((await client(gw.url).get('/openapi.json')).status).toBe(200); // gateway alive
  });

  it('answers 503 with Retry-After when the only instance refuses connections', async () => {
    const port = await deadPort();
    const gw = await gateway({ AUTH_UPSTREAMS: `http://127.0.0.1:${port}` });
    const res = await client(gw.url).post('/auth/register', { body: { username: 'x', password: 'y' } });
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json).toMatchObject({
      error: { code: 'service_unavailable', retry_after: expect.any(Number) },
    });
  });

  it('answers 504 when the upstream stalls, and closes the stalled upstream socket', async () => {
    const up = await httpishUpstream(() => {
      // read the request, never answer
    });
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url, GATEWAY_UPSTREAM_TIMEOUT_MS: '300' });
    const res = await client(gw.url).get('/auth/me');
    expect(res.status).toBe(504);
    expect(res.json).toMatchObject({ error: { code: 'gateway_timeout' } });
    // The stalled connection is destroyed, so sockets don't pile up (health probes close theirs).
    await eventually(async () => (up.sockets.size === 0 ? true : undefined), 5_000);
  });

  it('calls off the upstream request when the client goes away', async () => {
    let stalled: net.Socket | undefined;
    const up = await httpishUpstream((socket) => {
      stalled = socket; // never answer
    });
    cleanups.push(up.close);
    const gw = await gateway({ AUTH_UPSTREAMS: up.url, GATEWAY_UPSTREAM_TIMEOUT_MS: '60000' });
    const caller = net.connect(gw.port, '127.0.0.1');
    caller.on('error', () => undefined);
    caller.write('GET /auth/me HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(async () => stalled, 5_000);
    caller.destroy();
    // Long before the 60 s timeout, the stalled upstream connection is closed.
    await eventually(async () => (stalled?.destroyed ? true : undefined), 5_000);
    const metrics = (await client(gw.adminUrl).get('/metrics')).text;
    expect(metrics).not.toMatch(/lockbox_gateway_upstream_errors_total\{[^}]*\} [1-9]/);
  });

  it('round-robins across instances and ejects a dead one', async () => {
    const a = await startUpstream();
    const b = await startUpstream();
    cleanups.push(a.close);
    const gw = await gateway({ AUTH_UPSTREAMS: `${a.url},${b.url}`, GATEWAY_HEALTH_INTERVAL_MS: '60000' });
    const api = client(gw.url);
    for (let i = 0; i < 10; i++) expect((await api.get('/auth/me')).status).toBe(200);
    expect(a.received.length).toBe(5);
    expect(b.received.length).toBe(5);

    await b.close();
    // Every request still succeeds: the refused one is retried on the live instance.
    for (let i = 0; i < 10; i++) expect((await api.get('/auth/me')).status).toBe(200);
    expect(a.received.length).toBe(15);
    const metrics = (await client(gw.adminUrl).get('/metrics')).text;
    const refused = Number(
      /lockbox_gateway_upstream_errors_total\{service="auth",kind="refused"[^}]*\} (\d+)/.exec(
        metrics,
      )?.[1] ?? 0,
    );
    // One refusal ejected b; the other nine never tried it.
    expect(refused).toBe(1);
    const health = await api.get<{
      services: { auth: { instances: Array<{ url: string; status: string }> } };
    }>('/health');
    expect(health.status).toBe(200); // one instance up is enough
    expect(health.json.services.auth.instances).toEqual([
      { url: a.url, status: 'up' },
      { url: b.url, status: 'down' },
    ]);
  });

  it('tries the down instances when every one is down: 503 while all refuse, a restarted one serves at once', async () => {
    const a = await startUpstream();
    const b = await startUpstream();
    const gw = await gateway({ AUTH_UPSTREAMS: `${a.url},${b.url}`, GATEWAY_HEALTH_INTERVAL_MS: '60000' });
    const instances = gw.gateway.upstreams.get('auth')?.instances ?? [];
    const api = client(gw.url);
    await a.close();
    await b.close();
    const refused = await api.post('/auth/login', { body: { n: 0 } });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json).toMatchObject({ error: { code: 'service_unavailable' } });
    await gw.gateway.health.refresh(); // the probes find both dead too
    expect(instances.map((i) => [i.ready, i.status])).toEqual([
      [false, 'down'],
      [false, 'down'],
    ]);

    const restarted = await startUpstream(undefined, b.port);
    cleanups.push(restarted.close);
    // No probe has run since the restart, yet the next requests reach it, each POST exactly once.
    for (let n = 1; n <= 4; n++) expect((await api.post('/auth/login', { body: { n } })).status).toBe(200);
    expect(restarted.received.map((r) => r.body)).toEqual([1, 2, 3, 4].map((n) => JSON.stringify({ n })));
    // Its answer marked it up at once; the still-dead one stays down and is skipped again.
    expect(instances.map((i) => i.status)).toEqual(['down', 'up']);
  });

  it('skips an instance whose /ready fails (active check) and takes it back when ready', async () => {
    const a = await startUpstream();
    const b = await startUpstream();
    cleanups.push(a.close, b.close);
    const gw = await gateway({ AUTH_UPSTREAMS: `${a.url},${b.url}`, GATEWAY_HEALTH_INTERVAL_MS: '100' });
    b.ready = false;
    const statusOfB = () => gw.gateway.upstreams.get('auth')?.instances[1]?.status;
    await eventually(async () => (statusOfB() === 'down' ? true : undefined));
    const api = client(gw.url);
    for (let i = 0; i < 6; i++) await api.get('/auth/me');
    expect(b.received.length).toBe(0);
    b.ready = true;
    await eventually(async () => (statusOfB() === 'up' ? true : undefined));
    for (let i = 0; i < 6; i++) await api.get('/auth/me');
    expect(b.received.length).toBeGreaterThan(0);
  });

  it('retries an idempotent GET on another instance after a reset, but never a POST', async () => {
    const bad = await httpishUpstream((socket) => socket.resetAndDestroy());
    const good: FakeUpstream = await startUpstream();
    cleanups.push(bad.close, good.close);
    const gw = await gateway({
      AUTH_UPSTREAMS: `${bad.url},${good.url}`,
      GATEWAY_HEALTH_INTERVAL_MS: '60000',
    });
    const api = client(gw.url);
    // Round-robin starts at `bad`: the GET is retried on `good`.
    expect((await api.get('/auth/me')).status).toBe(200);
    expect(good.received.length).toBe(1);
    await api.get('/auth/me'); // lands on good directly
    // Next turn is `bad` again: a POST is not retried.
    const post = await api.post('/auth/login', { body: {} });
    expect(post.status).toBe(502);
    expect(good.received.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
