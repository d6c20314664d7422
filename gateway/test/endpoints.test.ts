import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { client, eventually } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicContracts } from '../src/openapi';
import { rawRequest, startGateway, startUpstream, statusOf } from './helpers';

interface Health {
  status: string;
  services: Record<string, { status: string; instances: Array<{ url: string; status: string }> }>;
}

describe('/health', () => {
  it('is 200 only while every enabled service has a ready instance, and ignores disabled ones', async () => {
    const auth = await startUpstream();
    const messages = await startUpstream();
    const gw = await startGateway({
      AUTH_UPSTREAMS: auth.url,
      MESSAGES_UPSTREAMS: messages.url,
      REALTIME_UPSTREAMS: 'off',
    });
    try {
      const api = client(gw.url);
      const ok = await api.get<Health>('/health');
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({
        status: 'ok',
        services: {
          auth: { status: 'up', instances: [{ url: auth.url, status: 'up' }] },
          messages: { status: 'up', instances: [{ url: messages.url, status: 'up' }] },
          realtime: { status: 'disabled', instances: [] },
        },
      });

      messages.ready = false;
      const down = await eventually(async () => {
        const r = await api.get<Health>('/health');
        return r.status === 503 ? r : undefined;
      });
      expect(down.json.status).toBe('unavailable');
      expect(down.json.services.messages?.status).toBe('down');
      expect(down.json.services.auth?.status).toBe('up');

      messages.ready = true;
      await eventually(async () => ((await api.get('/health')).status === 200 ? true : undefined));
    } finally {
      await gw.close();
      await auth.close();
      await messages.close();
    }
  });
});

describe('/health after an outage', () => {
  it('probes again soon once it reported a service down, so a recovery shows without waiting out the cache', async () => {
    const auth = await startUpstream();
    // No timer round in this test: only /health itself probes.
    const gw = await startGateway({
      AUTH_UPSTREAMS: auth.url,
      MESSAGES_UPSTREAMS: 'off',
      REALTIME_UPSTREAMS: 'off',
      GATEWAY_HEALTH_INTERVAL_MS: '600000',
    });
    try {
      const api = client(gw.url);
      auth.ready = false;
      await eventually(async () => ((await api.get('/health')).status === 503 ? true : undefined));
      auth.ready = true;
      // Well inside the one-second reuse a healthy report gets, well past the short one of a down report.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await api.get('/health')).status).toBe(200);
    } finally {
      await gw.close();
      await auth.close();
    }
  });
});

describe('gateway endpoints', () => {
  let webRoot: string;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let bare: Awaited<ReturnType<typeof startGateway>>;

  beforeAll(async () => {
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-web-'));
    fs.mkdirSync(path.join(webRoot, 'assets'));
    fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>LockBox app</title>');
    fs.writeFileSync(path.join(webRoot, 'assets', 'app-1a2b.js'), 'console.log(1)');
    fs.writeFileSync(path.join(webRoot, 'assets', 'style.css'), 'body{}');
    fs.writeFileSync(path.join(path.dirname(webRoot), 'lockbox-secret.txt'), 'secret');
    gw = await startGateway({ LOCKBOX_WEB_DIST: webRoot });
    bare = await startGateway({ LOCKBOX_WEB_DIST: path.join(webRoot, 'does-not-exist') });
  });
  afterAll(async () => {
    await gw.close();
    await bare.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('/openapi.json documents the auth paths from the contracts', async () => {
    const res = await client(gw.url).get<{
      openapi: string;
      servers: unknown;
      paths: Record<string, Record<string, unknown>>;
    }>('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json.openapi).toBe('3.1.0');
    for (const p of [
      '/auth/register',
      '/auth/login',
      '/auth/me',
      '/auth/.well-known/jwks.json',
      '/users/search',
    ])
      expect(res.json.paths, p).toHaveProperty([p]);
    expect(res.json.paths['/auth/register']).toHaveProperty('post');
    // Clients resolve the paths against the server: /v1/auth/register.
    expect(res.json.servers).toEqual([{ url: '/v1' }]);
    // Internal procedures are not documented.
    expect(JSON.stringify(res.json)).not.toMatch(/"operationId":"internal\./);
  });

  it('reads every contract of the contracts package registry', () => {
    expect(publicContracts().map((c) => c.service)).toContain('auth');
  });

  it('/docs serves a browsable reference that loads only local files', async () => {
    const api = client(gw.url);
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const scripts = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const src of scripts) {
      const asset = await api.get(src);
      expect(asset.status, src).toBe(200);
    }
    const init = await api.get('/docs/init.js');
    expect(init.text).toContain("'/openapi.json'");
    expect((await api.get('/docs/nope.js')).status).toBe(404);
  });

  it('/docs assets are gzipped for clients that accept it', async () => {
    const res = await client(gw.url).get('/docs/swagger-ui-bundle.js', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
  });

  it('/metrics is Prometheus text with the gateway metrics, on the admin listener only', async () => {
    await client(gw.url).get('/openapi.json');
    // Asked like a browser, so the web app's index.html fallback would answer if the route table let it.
    const pub = await client(gw.url).get('/metrics', { headers: { accept: 'text/html' } });
    expect(pub.status).toBe(404);
    expect(pub.json).toMatchObject({ error: { code: 'not_found' } });
    expect((await client(gw.url).get('/v1/metrics')).status).toBe(404);
    const res = await client(gw.adminUrl).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('lockbox_gateway_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/openapi.json"/);
    expect(res.text).toContain('lockbox_gateway_websocket_connections');
    expect(res.text).toContain('lockbox_gateway_upstream_errors_total');
  });

  it('the admin listener answers only GET/HEAD of its own paths and serves nothing else', async () => {
    const admin = client(gw.adminUrl);
    const posted = await admin.post('/metrics', { body: { x: 'y'.repeat(100_000) } });
    expect(posted.status).toBe(405);
    expect(posted.text).not.toContain('lockbox_gateway');
    const other = await admin.get('/openapi.json');
    expect(other.status).toBe(404);
    expect(other.json).toMatchObject({ error: { code: 'not_found' } });
    expect((await admin.get('/')).status).toBe(404);
    const head = await admin.request('HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('serves the built web app with content types, CSP and cache policy', async () => {
    const api = client(gw.url);
    const index = await api.get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.text).toContain('LockBox app');
    const js = await api.get('/assets/app-1a2b.js');
    expect(js.headers['content-type']).toMatch(/text\/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await api.get('/assets/style.css')).headers['content-type']).toMatch(/text\/css/);
  });

  it('falls back to index.html for app routes a browser navigates to, 404 for missing files', async () => {
    const api = client(gw.url);
    const html = { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } };
    const route = await api.get('/chats/usr_123', html);
    expect(route.status).toBe(200);
    expect(route.text).toContain('LockBox app');
    expect((await api.get('/assets/missing.js', html)).status).toBe(404);
    // An API client asking for a path no service owns gets a JSON 404, not the app.
    const api404 = await api.get('/connections', { headers: { accept: 'application/json' } });
    expect(api404.status).toBe(404);
    expect(api404.json).toMatchObject({ error: { code: 'not_found' } });
    expect((await api.get('/broadcast')).status).toBe(404);
  });

  it('never serves a file outside the web folder', async () => {
    for (const p of [
      '/../lockbox-secret.txt',
      '/%2e%2e/lockbox-secret.txt',
      '/assets/..%2f..%2flockbox-secret.txt',
      '/..%5clockbox-secret.txt',
    ]) {
      const raw = await rawRequest(gw.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(raw, p).not.toContain('secret\r\n');
      expect(raw.endsWith('secret'), p).toBe(false);
      expect([400, 404]).toContain(statusOf(raw));
    }
  });

  it('explains at / when the web app is not built, and links the docs', async () => {
    const res = await client(bare.url).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('not built');
    expect(res.text).toContain('href="/docs"');
    expect((await client(bare.url).get('/something')).status).toBe(404);
  });
});
