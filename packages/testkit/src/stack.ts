/**
 * Starts the real LockBox processes (the same entry points `npm start` runs) on
 * free ports, in a temporary data and log directory, on PGlite or on a fresh
 * Postgres database. Tests then talk only to the gateway, like a client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceName } from '@lockbox/contracts';
import { deployable } from '@lockbox/contracts/deployables';
import { type FaultProxy, throughProxy } from './fault-proxy';
import { freePort } from './ports';
import { createTempDatabase, type TempDatabase } from './postgres';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');

/** The TypeScript entry point of each process, from the one list of deployables. */
export const ENTRY_POINTS: Record<ServiceName | 'gateway', string> = {
  auth: deployable('auth').entry,
  messages: deployable('messages').entry,
  realtime: deployable('realtime').entry,
  gateway: deployable('gateway').entry,
};

export type Engine = 'pglite' | 'postgres';

export interface StackOptions {
  engine?: Engine;
  /** Services to run behind the gateway (default: auth). */
  services?: ServiceName[];
  /** Instances per service (default 1). More than one needs Postgres. */
  instances?: Partial<Record<ServiceName, number>>;
  /** Env for every process. */
  env?: Record<string, string>;
  /** Env for one service's instances. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  gatewayEnv?: Record<string, string>;
  /** Use REDIS_URL from the environment when set (default true). */
  redis?: boolean;
  /** Start the gateway (default true). */
  gateway?: boolean;
  /** Admin URL of the Postgres server for engine postgres (default TEST_DATABASE_URL). */
  postgresAdminUrl?: string;
  /**
   * Fault proxies to put on a path (see fault-proxy.ts): between the gateway
   * and a service's instances (one proxy per service: it fronts the first
   * instance, the others stay direct), and between every service and its
   * database or Redis. The stack sets each proxy's target.
   */
  via?: {
    gateway?: Partial<Record<ServiceName, FaultProxy>>;
    database?: FaultProxy;
    redis?: FaultProxy;
  };
}

export interface ProcessHandle {
  name: string;
  service: ServiceName | 'gateway';
  port: number;
  url: string;
  /** The gateway's operator listener (GET /metrics); services answer /metrics on `url`. */
  adminUrl?: string;
  readonly child: ChildProcess | undefined;
  /** Sends a signal (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and waits until ready. */
  start(): Promise<void>;
  logFile: string;
}

export interface Stack {
  gatewayUrl: string;
  processes: ProcessHandle[];
  dataDir: string;
  logDir: string;
  engine: Engine;
  databaseUrl: string | undefined;
  redisPrefix: string;
  get(name: string): ProcessHandle;
  stop(): Promise<void>;
}

/** Test-friendly defaults: cheapest argon2 OWASP allows, generous limits (limit tests set their own). */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  LOCKBOX_LOG_STDOUT: '0',
  RL_REGISTER_PER_IP: '100000',
  RL_LOGIN_PER_IP: '100000',
  RL_PRELOGIN_PER_IP: '100000',
};

const waitReady = async (url: string, child: ChildProcess | undefined, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`process exited with ${child.exitCode} before ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not ready at ${url} after ${timeoutMs} ms (${last})`);
};

export const startStack = async (opts: StackOptions = {}): Promise<Stack> => {
  const engine: Engine = opts.engine ?? 'pglite';
  const services = opts.services ?? ['auth'];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-stack-'));
  const dataDir = path.join(root, 'data');
  const logDir = path.join(root, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const redisPrefix = `lbtest${randomBytes(4).toString('hex')}`;

  let tempDb: TempDatabase | undefined;
  if (engine === 'postgres') {
    const admin = opts.postgresAdminUrl ?? process.env.TEST_DATABASE_URL;
    if (!admin) throw new Error('engine postgres needs TEST_DATABASE_URL');
    tempDb = await createTempDatabase(admin);
  }
  const common: Record<string, string> = {
    ...TEST_ENV,
    LOCKBOX_DATA_DIR: dataDir,
    LOCKBOX_LOG_DIR: logDir,
    LOCKBOX_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    LOCKBOX_REDIS_PREFIX: redisPrefix,
    ...(tempDb ? { DATABASE_URL: tempDb.url } : {}),
    ...(opts.redis !== false && process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...opts.env,
  };
  if (opts.via?.database) {
    if (!tempDb) throw new Error('via.database needs engine postgres');
    opts.via.database.target(tempDb.url);
    common.DATABASE_URL = throughProxy(tempDb.url, opts.via.database);
  }
  if (opts.via?.redis) {
    if (!common.REDIS_URL) throw new Error('via.redis needs REDIS_URL');
    opts.via.redis.target(common.REDIS_URL);
    common.REDIS_URL = throughProxy(common.REDIS_URL, opts.via.redis);
  }

  const processes: ProcessHandle[] = [];
  const makeHandle = (
    name: string,
    service: ServiceName | 'gateway',
    port: number,
    env: Record<string, string>,
    readyPath: string,
  ): ProcessHandle => {
    const logFile = path.join(logDir, `${name}.stdout.log`);
    let child: ChildProcess | undefined;
    const handle: ProcessHandle = {
      name,
      service,
      port,
      url: `http://127.0.0.1:${port}`,
      logFile,
      get child() {
        return child;
      },
      start: async () => {
        const out = fs.openSync(logFile, 'a');
        const { REDIS_URL: _r, DATABASE_URL: _d, ...inherited } = process.env;
        child = spawn(process.execPath, ['--import', 'tsx', ENTRY_POINTS[service]], {
          cwd: REPO_ROOT,
          env: { ...inherited, ...common, ...env, PORT: String(port), LOCKBOX_INSTANCE: name },
          stdio: ['ignore', out, out],
        });
        fs.closeSync(out);
        await waitReady(`${handle.url}${readyPath}`, child, 90_000);
      },
      kill: async (signal = 'SIGKILL') => {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill(signal);
        await exited;
      },
    };
    return handle;
  };

  try {
    const upstreams: Partial<Record<ServiceName, string[]>> = {};
    const serviceHandles: ProcessHandle[] = [];
    for (const service of services) {
      const count = opts.instances?.[service] ?? 1;
      for (let i = 0; i < count; i++) {
        const port = await freePort();
        const name = count === 1 ? service : `${service}-${i + 1}`;
        const h = makeHandle(name, service, port, { ...opts.serviceEnv?.[service] }, '/ready');
        serviceHandles.push(h);
        processes.push(h);
        upstreams[service] = [...(upstreams[service] ?? []), h.url];
      }
    }
    // Services find each other as AUTH_URLS / MESSAGES_URLS / REALTIME_URLS; one not in this stack is "off".
    for (const s of ['auth', 'messages', 'realtime'] as const)
      common[`${s.toUpperCase()}_URLS`] ??= upstreams[s]?.join(',') ?? 'off';
    // Instances of one service share migrations; start the first of each alone, then the rest together.
    const firsts = services.map((s) => serviceHandles.find((h) => h.service === s) as ProcessHandle);
    await Promise.all(firsts.map((h) => h.start()));
    await Promise.all(serviceHandles.filter((h) => !firsts.includes(h)).map((h) => h.start()));

    let gatewayUrl = '';
    if (opts.gateway !== false) {
      const port = await freePort();
      const adminPort = await freePort();
      const gwEnv: Record<string, string> = { GATEWAY_ADMIN_PORT: String(adminPort), ...opts.gatewayEnv };
      for (const s of ['auth', 'messages', 'realtime'] as const) {
        const urls = [...(upstreams[s] ?? [])];
        const proxy = opts.via?.gateway?.[s];
        if (proxy && urls[0]) {
          proxy.target(urls[0]);
          urls[0] = proxy.url;
        }
        gwEnv[`${s.toUpperCase()}_UPSTREAMS`] = urls.length ? urls.join(',') : 'off';
      }
      const gw = makeHandle('gateway', 'gateway', port, gwEnv, '/health');
      gw.adminUrl = `http://127.0.0.1:${gwEnv.GATEWAY_ADMIN_PORT}`;
      processes.push(gw);
      await gw.start();
      gatewayUrl = gw.url;
    }

    const stack: Stack = {
      gatewayUrl,
      processes,
      dataDir,
      logDir,
      engine,
      databaseUrl: tempDb?.url,
      redisPrefix,
      get: (name) => {
        const h = processes.find((p) => p.name === name);
        if (!h) throw new Error(`no process ${name}`);
        return h;
      },
      stop: async () => {
        await Promise.all(processes.map((p) => p.kill('SIGTERM')));
        await tempDb?.drop().catch(() => undefined);
      },
    };
    return stack;
  } catch (err) {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await tempDb?.drop().catch(() => undefined);
    const logs = fs
      .readdirSync(logDir)
      .map((f) => `--- ${f}\n${fs.readFileSync(path.join(logDir, f), 'utf8').slice(-3000)}`)
      .join('\n');
    throw new Error(`stack failed to start: ${(err as Error).message}\n${logs}`);
  }
};

/** Engines to run an integration suite on: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const enginesUnderTest = (): Engine[] =>
  process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
