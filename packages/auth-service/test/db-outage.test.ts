/**
 * The database goes away (its TCP path is cut) and comes back: answers are a
 * clean 503 with Retry-After meanwhile, never a hang or a 500, and the service
 * recovers by itself (RELIABILITY faults 3). Postgres only: PGlite lives in the process.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningService, startService } from '@lockbox/service-kit';
import {
  client,
  createTempDatabase,
  eventually,
  type FaultProxy,
  startFaultProxy,
  type TempDatabase,
  throughProxy,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authService } from '../src/definition';
import { type Account, type ErrorJson, register } from './helpers/users';

const adminUrl = process.env.TEST_DATABASE_URL;

describe.runIf(adminUrl)('database outage on postgres', () => {
  let temp: TempDatabase;
  let proxy: FaultProxy;
  let running: RunningService;
  let api: ReturnType<typeof client>;
  let alice: Account;
  let root: string;

  beforeAll(async () => {
    temp = await createTempDatabase(adminUrl as string);
    proxy = await startFaultProxy({ target: temp.url });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-outage-'));
    running = await startService(authService, {
      NODE_ENV: 'test',
      LOCKBOX_LOG_STDOUT: '0',
      PORT: '0',
      LOCKBOX_DATA_DIR: path.join(root, 'data'),
      LOCKBOX_LOG_DIR: path.join(root, 'logs'),
      LOCKBOX_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      DATABASE_URL: throughProxy(temp.url, proxy),
      RL_REGISTER_PER_IP: '1000',
    });
    api = client(`http://127.0.0.1:${running.port}`);
    alice = await register(api);
  });
  afterAll(async () => {
    await proxy?.mode('pass').catch(() => undefined);
    await running?.close();
    await proxy?.close();
    await temp?.drop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while the database is unreachable, then recovers', async () => {
    expect((await api.get('/auth/me', { token: alice.token })).status).toBe(200);
    await proxy.mode('refuse');

    const calls = [
      () => api.get<ErrorJson>('/auth/me', { token: alice.token }),
      () =>
        api.post<ErrorJson>('/auth/login', { body: { username: alice.username, password: alice.password } }),
      () => api.get<ErrorJson>(`/users/search?q=a`, { token: alice.token }),
      () => api.post<ErrorJson>('/auth/refresh', { body: { refresh_token: alice.refreshToken } }),
    ];
    for (const call of calls) {
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('service_unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const ready = await api.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBeDefined();
    expect((await api.get('/health')).status).toBe(200); // alive, just not ready

    await proxy.mode('pass');
    await eventually(async () => ((await api.get('/ready')).status === 200 ? true : undefined), 15_000, 200);
    expect((await api.get('/auth/me', { token: alice.token })).status).toBe(200);
    const again = await api.post('/auth/login', {
      body: { username: alice.username, password: alice.password },
    });
    expect(again.status).toBe(200);
  });
});
