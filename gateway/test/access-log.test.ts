import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessLog } from '../src/access-log';
import { startGateway, startUpstream } from './helpers';

describe('access log', () => {
  it('writes one valid JSON line per request with tokens masked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-access-'));
    const log = new AccessLog({ logDir: dir, instance: 'gateway-2', stdout: false });
    log.write({
      requestId: 'rid-1',
      method: 'GET',
      url: '/auth/verify/eyJhbGciOi.secret?token=abc&q="x"',
      status: 200,
      ms: 1.234,
      upstream: 'http://127.0.0.1:8001',
    });
    log.write({ requestId: 'rid-2', method: 'POST', url: '/x', status: 499, ms: 0.04, upstream: undefined });
    await log.flush();
    const text = fs.readFileSync(path.join(dir, 'gateway-2.log'), 'utf8');
    expect(text).not.toContain('eyJhbGciOi');
    expect(text).not.toContain('abc');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'gateway',
      instance: 'gateway-2',
      requestId: 'rid-1',
      method: 'GET',
      path: '/auth/verify/[redacted]?token=[redacted]&q="x"',
      status: 200,
      ms: 1.2,
      upstream: 'http://127.0.0.1:8001',
      msg: 'request',
    });
    expect(Date.parse(lines[0].time)).not.toBeNaN();
    expect(lines[1]).toMatchObject({ requestId: 'rid-2', status: 499, upstream: null });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records a /v1 request by the path the client sent, with its token still masked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-access-'));
    const accessLog = new AccessLog({ logDir: dir, instance: 'gateway-v1', stdout: false });
    const auth = await startUpstream();
    const gw = await startGateway({ AUTH_UPSTREAMS: auth.url }, { accessLog });
    try {
      await fetch(`${gw.url}/v1/auth/me`);
      await fetch(`${gw.url}/v1/auth/verify/eyJhbGciOi.secret`);
      await accessLog.flush();
      // The upstream saw the unversioned paths; the log keeps what the client asked for.
      expect(auth.received.map((r) => r.url)).toContain('/auth/me');
      const text = fs.readFileSync(path.join(dir, 'gateway-v1.log'), 'utf8');
      expect(text).not.toContain('eyJhbGciOi');
      const paths = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).path);
      expect(paths).toEqual(['/v1/auth/me', '/v1/auth/verify/[redacted]']);
    } finally {
      await gw.close();
      await auth.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
