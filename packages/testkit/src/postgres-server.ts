/**
 * A private PostgreSQL server for fault tests: its own data directory and port
 * on loopback, so a test can really stop PostgreSQL (RELIABILITY Faults 3)
 * without touching the machine's shared server. Built from the machine's
 * PostgreSQL binaries (Debian's `postgresql` package); as root, they run as
 * the `postgres` user, since PostgreSQL refuses to run as root.
 *
 * It can also be a "host" of its own in a network namespace (the multi-host
 * test): started with `ip netns exec`, listening on that host's address, with
 * trust for the test network's subnet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export interface PostgresServer {
  /** Admin URL (user postgres, database postgres, trust auth on loopback). */
  url: string;
  port: number;
  /** Stops the server; `immediate` is a crash-like stop (no checkpoint). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Starts it again on the same port and data, waiting until it accepts connections. */
  start(): void;
  /** Stops it and deletes its data. */
  destroy(): void;
}

const binDir = (): string | undefined => {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : undefined;
};

const isRoot = () => process.getuid?.() === 0;

/** Why a private server cannot be made here, or undefined when it can. */
export const postgresServerUnavailable = (): string | undefined => {
  if (!binDir()) return 'no PostgreSQL binaries under /usr/lib/postgresql (Debian package postgresql)';
  if (isRoot() && spawnSync('id', ['postgres']).status !== 0)
    return 'running as root without a postgres user to run the server as';
  return undefined;
};

export interface PostgresServerOptions {
  /** Run in this network namespace (`ip netns exec`; needs root). */
  netns?: string;
  /** The address to listen on (default 127.0.0.1). */
  listenAddress?: string;
  /** Default: a free port on loopback. */
  port?: number;
  /** Also trust connections from this CIDR (the test network's subnet). */
  trustCidr?: string;
}

export const startPostgresServer = async (opts: PostgresServerOptions = {}): Promise<PostgresServer> => {
  const why = postgresServerUnavailable();
  if (why) throw new Error(`cannot start a private PostgreSQL: ${why}`);
  const bin = binDir() as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-pg-'));
  const data = path.join(dir, 'data');
  const port = opts.port ?? (await freePort());
  const listen = opts.listenAddress ?? '127.0.0.1';
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (tool: string, args: string[], inNetns = false) => {
    let argv = isRoot()
      ? ['runuser', '-u', 'postgres', '--', path.join(bin, tool), ...args]
      : [path.join(bin, tool), ...args];
    if (inNetns && opts.netns) argv = ['ip', 'netns', 'exec', opts.netns, ...argv];
    const [cmd, ...rest] = argv as [string, ...string[]];
    execFileSync(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, timeout: 60_000 });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  if (opts.trustCidr)
    fs.appendFileSync(path.join(data, 'pg_hba.conf'), `host all all ${opts.trustCidr} trust\n`);
  // One address only, socket in our own dir. No fsync: it is a throwaway server, and only an OS crash
  // would lose data. But commits stay synchronous: a test stops it `immediate` (a crash) and counts
  // what was committed, and synchronous_commit=off loses the last ~200 ms of acknowledged commits.
  const options = `-p ${port} -k ${dir} -c listen_addresses=${listen} -c fsync=off -c full_page_writes=off`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start'], true);
  const stop = (mode: 'fast' | 'immediate' = 'fast') =>
    run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'], true);
  start();
  return {
    url: `postgres://postgres@${listen}:${port}/postgres`,
    port,
    start,
    stop,
    destroy: () => {
      try {
        stop('immediate');
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};
