/**
 * GATEWAY_WORKERS=2 as a real process tree (main.ts under node:cluster): both
 * workers serve the one port, the admin /metrics covers both, a worker killed
 * with SIGKILL is replaced while the port keeps answering, and SIGTERM to the
 * primary leaves no process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseGatewayEnv } from '../src/env';
import { perWorkerLimits } from '../src/serve';
import { deadPort } from './helpers';

const GATEWAY_DIR = fileURLToPath(new URL('..', import.meta.url));
// Three processes boot through tsx: on a loaded CI machine that takes a while (the hook allows 180 s).
const WAIT = { timeout: 150_000, interval: 100 };

/** The gateway workers among the children of `pid` (tsx may run an esbuild child too), from /proc (Linux). */
const childrenOf = (pid: number): number[] =>
  fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) return false;
        return fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('src/main.ts');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A GET on a fresh connection (no keep-alive), so the cluster hands each to the next worker. */
const get = (url: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });

/** Requests counted per worker label in the admin /metrics text. */
const servedByWorker = (metrics: string): Map<string, number> => {
  const served = new Map<string, number>();
  for (const m of metrics.matchAll(
    /^lockbox_gateway_request_duration_seconds_count\{[^}]*worker="(\d+)"[^}]*\} (\d+)/gm,
  ))
    served.set(m[1] as string, (served.get(m[1] as string) ?? 0) + Number(m[2]));
  return served;
};

describe('GATEWAY_WORKERS setting', () => {
  it('defaults to one process, takes `auto` as the core count, refuses 0 and junk', () => {
    expect(parseGatewayEnv({}).GATEWAY_WORKERS).toBe(1);
    expect(parseGatewayEnv({ GATEWAY_WORKERS: 'auto' }).GATEWAY_WORKERS).toBe(os.availableParallelism());
    expect(parseGatewayEnv({ GATEWAY_WORKERS: '3' }).GATEWAY_WORKERS).toBe(3);
    for (const bad of ['0', '-1', 'two', '1.5'])
      expect(() => parseGatewayEnv({ GATEWAY_WORKERS: bad })).toThrow();
  });

  it('without Redis each worker allows its share of the per-IP limit; with Redis, or alone, the whole', () => {
    const env = parseGatewayEnv({ GATEWAY_WORKERS: '4', RL_GATEWAY_PER_IP: '300' });
    expect(perWorkerLimits(env, false).RL_GATEWAY_PER_IP).toBe(75);
    expect(perWorkerLimits(env, true).RL_GATEWAY_PER_IP).toBe(300);
    expect(perWorkerLimits(parseGatewayEnv({ RL_GATEWAY_PER_IP: '300' }), false).RL_GATEWAY_PER_IP).toBe(300);
    expect(perWorkerLimits({ ...env, RL_GATEWAY_PER_IP: 0 }, false).RL_GATEWAY_PER_IP).toBe(0);
  });
});

describe('GATEWAY_WORKERS=2', () => {
  let primary: ChildProcess;
  let url: string;
  let adminUrl: string;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-gw-workers-'));
    const [port, adminPort] = [await deadPort(), await deadPort()];
    url = `http://127.0.0.1:${port}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    primary = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: GATEWAY_DIR,
      // A worker that cannot start says why on stderr.
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REDIS_URL')),
        GATEWAY_WORKERS: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
        GATEWAY_ADMIN_PORT: String(adminPort),
        AUTH_UPSTREAMS: 'off',
        MESSAGES_UPSTREAMS: 'off',
        REALTIME_UPSTREAMS: 'off',
        LOCKBOX_INTERNAL_SECRET: 'workers-test-secret-0123456789abcdef0123456789',
        LOCKBOX_DATA_DIR: dir,
        LOCKBOX_LOG_DIR: dir,
        GATEWAY_ACCESS_LOG: 'false',
      },
    });
    await vi.waitFor(async () => expect((await get(`${adminUrl}/health`)).status).toBe(200), WAIT);
  });
  afterAll(() => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('both workers serve the port and the admin /metrics covers both', async () => {
    expect(childrenOf(primary.pid as number)).toHaveLength(2);
    for (let i = 0; i < 6; i++) expect((await get(`${url}/health`)).status).toBe(200);
    const metrics = (await get(`${adminUrl}/metrics`)).body;
    const served = servedByWorker(metrics);
    expect([...served.keys()].sort()).toEqual(['1', '2']);
    expect(served.get('1')).toBeGreaterThan(0);
    expect(served.get('2')).toBeGreaterThan(0);
    expect(metrics).toMatch(/^process_resident_memory_bytes\{[^}]*worker="1"/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes\{[^}]*worker="2"/m);
    expect(metrics).toMatch(/^lockbox_gateway_worker_restarts_total\{[^}]*\} 0$/m);
  });

  it('a worker killed with SIGKILL is replaced and the port keeps answering', async () => {
    const before = childrenOf(primary.pid as number);
    process.kill(before[0] as number, 'SIGKILL');
    await vi.waitFor(() => {
      const now = childrenOf(primary.pid as number);
      expect(now).toHaveLength(2);
      expect(now).not.toContain(before[0]);
    }, WAIT);
    await vi.waitFor(async () => {
      for (let i = 0; i < 4; i++) expect((await get(`${url}/health`)).status).toBe(200);
      const metrics = (await get(`${adminUrl}/metrics`)).body;
      expect([...servedByWorker(metrics).keys()].sort()).toEqual(['1', '2']);
      expect(metrics).toMatch(/^lockbox_gateway_worker_restarts_total\{[^}]*\} 1$/m);
    }, WAIT);
  }, 180_000);

  it('SIGTERM to the primary stops every worker and then itself', async () => {
    const workers = childrenOf(primary.pid as number);
    expect(workers).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
    await expect(get(`${url}/health`)).rejects.toThrow();
  });
});
