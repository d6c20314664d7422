import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebApp } from '../src/web-app';
import { rawRequest, statusOf } from './helpers';

/** WebApp on its own (no route table in front), so its own path checks are what is tested. */
describe('web app files', () => {
  let dir: string;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-webapp-'));
    const root = path.join(dir, 'dist');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title>');
    fs.writeFileSync(path.join(dir, 'outside.txt'), 'TOP-SECRET');
    fs.mkdirSync(path.join(dir, 'dist-evil'));
    fs.writeFileSync(path.join(dir, 'dist-evil', 'x.txt'), 'TOP-SECRET');
    const app = new WebApp(root);
    server = http.createServer((req, res) => {
      void app.serve(req, res, (req.url ?? '/').split('?')[0] as string, 'rid');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    '/../outside.txt',
    '/%2e%2e/outside.txt',
    '/%2e%2e%2foutside.txt',
    '/..%5coutside.txt',
    '/../dist-evil/x.txt',
    '/%2e%2e/dist-evil/x.txt',
    '/outside.txt%00.html',
  ])('does not serve %s', async (p) => {
    const raw = await rawRequest(port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(raw).not.toContain('TOP-SECRET');
    expect([400, 404]).toContain(statusOf(raw));
  });

  it('serves index.html for an app route', async () => {
    const raw = await rawRequest(
      port,
      'GET /settings HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(raw)).toBe(200);
    expect(raw).toContain('<title>app</title>');
  });
});
