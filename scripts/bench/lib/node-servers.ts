/**
 * Starts the Node processes a bench measures — the real auth service, the
 * gateway, the baseline servers under scripts/bench/servers — the way
 * `npm start` runs them (`node --import tsx <entry>`), on free loopback ports,
 * with data and logs in the bench's temp dir.
 */
import path from 'node:path';
import { deployable } from '@lockbox/contracts/deployables';
import { freePort, type Proc, spawnProc, waitForHttp } from './processes';

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');

export interface NodeServer {
  proc: Proc;
  port: number;
  url: string;
}

/** Quiet, production-like settings: a bench measures serving, not logging to a terminal. */
export const BENCH_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  LOCKBOX_LOG_STDOUT: '0',
};

/**
 * Spawns `node --import tsx <entry>` from the repo root, its output in `<workDir>/<name>.out.log`,
 * with `PORT`/`HOST` set last so nothing in `env` can move it off loopback.
 */
export const spawnNodeEntry = (opts: {
  name: string;
  /** Entry file relative to the repo root. */
  entry: string;
  workDir: string;
  port: number;
  env: Record<string, string>;
  /** Write a V8 CPU profile of the process into `<dir>/<name>/` when it exits. */
  profileDir?: string | undefined;
}): Proc => {
  const profile = opts.profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(opts.profileDir, opts.name)]
    : [];
  return spawnProc(opts.name, process.execPath, [...profile, '--import', 'tsx', opts.entry], {
    cwd: REPO_ROOT,
    logFile: path.join(opts.workDir, `${opts.name}.out.log`),
    env: { ...opts.env, PORT: String(opts.port), HOST: '127.0.0.1' },
  });
};

export const startNodeServer = async (opts: {
  name: string;
  /** Entry file relative to the repo root. */
  entry: string;
  workDir: string;
  env?: Record<string, string>;
  readyPath: string;
  /** Write a V8 CPU profile of the process into `<dir>/<name>/` when it exits. */
  profileDir?: string | undefined;
}): Promise<NodeServer> => {
  const port = await freePort();
  const proc = spawnNodeEntry({
    name: opts.name,
    entry: opts.entry,
    workDir: opts.workDir,
    port,
    profileDir: opts.profileDir,
    env: {
      ...BENCH_ENV,
      LOCKBOX_DATA_DIR: path.join(opts.workDir, `${opts.name}-data`),
      LOCKBOX_LOG_DIR: path.join(opts.workDir, 'logs'),
      ...opts.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  // PGlite start-up alone can take a minute on a loaded 2-core machine.
  await waitForHttp(`${url}${opts.readyPath}`, proc, 240_000);
  return { proc, port, url };
};

export const startAuthService = (workDir: string, secret: string, profileDir?: string) =>
  startNodeServer({
    name: 'auth',
    entry: deployable('auth').entry,
    workDir,
    env: { LOCKBOX_INTERNAL_SECRET: secret },
    readyPath: '/ready',
    profileDir,
  });
