/**
 * LockBox laid out as an operator would on several machines, each machine a
 * network namespace (network.ts): PostgreSQL and Redis on hosts of their own,
 * `instances` hosts per service and `gateways` gateway hosts, all configured
 * by host name through a DNS server on the test network (dns-server.ts):
 * `auth` answers every auth host (headless-Service style), `auth-1` one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployable, instancePort } from '@lockbox/contracts/deployables';
import { type PostgresServer, startPostgresServer } from '../postgres-server';
import { TestDnsServer } from './dns-server';
import { HostProcess } from './host-process';
import { NetnsNetwork, removeLeftovers } from './network';
import { NetnsRedis } from './redis-server';

export const SCALED_SERVICES = ['auth', 'messages', 'realtime'] as const;
export type ScaledService = (typeof SCALED_SERVICES)[number];

export interface MultiHostOptions {
  instances?: number;
  gateways?: number;
  /** Extra env for every LockBox process (test limits, timeouts). */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export interface MultiHost {
  net: NetnsNetwork;
  dns: TestDnsServer;
  postgres: PostgresServer;
  redis: NetnsRedis;
  /** By host name: auth-1, …, gateway-2. */
  processes: Map<string, HostProcess>;
  gatewayUrls: string[];
  logDir: string;
  process(name: string): HostProcess;
  /** The last lines of every process log, for a failure message. */
  logs(): string;
  destroy(): Promise<void>;
}

const hostsOf = (service: string, n: number) => Array.from({ length: n }, (_, i) => `${service}-${i + 1}`);

export const startMultiHost = async (opts: MultiHostOptions = {}): Promise<MultiHost> => {
  const instances = opts.instances ?? 2;
  const gateways = opts.gateways ?? 2;
  removeLeftovers();
  const net = new NetnsNetwork();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-multihost-'));
  const logDir = path.join(root, 'logs');
  fs.mkdirSync(logDir);
  const dns = new TestDnsServer();
  const processes = new Map<string, HostProcess>();
  let postgres: PostgresServer | undefined;
  let redis: NetnsRedis | undefined;

  const destroy = async () => {
    await Promise.all([...processes.values()].map((p) => p.kill('SIGKILL')));
    await redis?.stop();
    postgres?.destroy();
    net.destroy();
    await dns.close().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  };
  // A crash of the test process still removes namespaces, links and /etc/netns dirs (synchronously).
  const onExit = () => net.destroy();
  process.once('exit', onExit);

  try {
    await dns.listen(net.gatewayAddress);
    const add = (name: string) => {
      const host = net.addHost(name, net.gatewayAddress);
      dns.set(name, [host.address]);
      return host;
    };
    const pgHost = add('postgres');
    const redisHost = add('redis');
    const serviceHosts = Object.fromEntries(
      SCALED_SERVICES.map((s) => [s, hostsOf(s, instances).map(add)]),
    ) as Record<ScaledService, ReturnType<typeof add>[]>;
    const gatewayHosts = hostsOf('gateway', gateways).map(add);
    for (const s of SCALED_SERVICES)
      dns.set(
        s,
        serviceHosts[s].map((h) => h.address),
      );
    dns.set(
      'gateway',
      gatewayHosts.map((h) => h.address),
    );

    postgres = await startPostgresServer({
      netns: pgHost.ns,
      listenAddress: pgHost.address,
      port: 5432,
      trustCidr: `${net.subnet}.0/24`,
    });
    redis = new NetnsRedis(redisHost);
    await redis.start();

    // What an operator writes: one secret, the database and Redis by name, each service's
    // instances by name (services call each other per instance; the gateway by the headless name).
    const common: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      LOCKBOX_LOG_STDOUT: '1',
      HOST: '0.0.0.0',
      LOCKBOX_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      DATABASE_URL: 'postgres://postgres@postgres:5432/postgres',
      REDIS_URL: `redis://redis:${redis.port}`,
      ...Object.fromEntries(
        SCALED_SERVICES.map((s) => [
          deployable(s).urlsEnv as string,
          hostsOf(s, instances)
            .map((h) => `http://${h}:${instancePort(s)}`)
            .join(','),
        ]),
      ),
      ...opts.env,
    };
    const make = (
      host: ReturnType<typeof add>,
      name: string,
      env: Record<string, string>,
      readyPath: string,
    ) => {
      const dataDir = path.join(root, 'data', host.name);
      fs.mkdirSync(dataDir, { recursive: true });
      const p = new HostProcess({
        host,
        entry: deployable(name).entry,
        port: instancePort(name),
        env: { ...common, LOCKBOX_DATA_DIR: dataDir, LOCKBOX_LOG_DIR: dataDir, ...env },
        logDir,
        readyPath,
      });
      processes.set(host.name, p);
      return p;
    };
    const services = SCALED_SERVICES.flatMap((s) => serviceHosts[s].map((h) => make(h, s, {}, '/ready')));
    // The first instance of each service runs the migrations alone; the rest start together.
    const firsts = SCALED_SERVICES.map((s) => processes.get(`${s}-1`) as HostProcess);
    await Promise.all(firsts.map((p) => p.start()));
    await Promise.all(services.filter((p) => !firsts.includes(p)).map((p) => p.start()));
    const gatewayEnv = {
      ...Object.fromEntries(
        SCALED_SERVICES.map((s) => [deployable(s).upstreamsEnv as string, `http://${s}:${instancePort(s)}`]),
      ),
      ...opts.gatewayEnv,
    };
    const gws = gatewayHosts.map((h) => make(h, 'gateway', gatewayEnv, '/health'));
    await Promise.all(gws.map((p) => p.start()));

    const all = processes;
    return {
      net,
      dns,
      postgres,
      redis,
      processes,
      gatewayUrls: gws.map((g) => g.url),
      logDir,
      process: (name) => {
        const p = all.get(name);
        if (!p) throw new Error(`no process ${name}`);
        return p;
      },
      logs: () => [...all.values()].map((p) => `--- ${p.name}\n${p.tail(1_500)}`).join('\n'),
      destroy: async () => {
        process.off('exit', onExit);
        await destroy();
      },
    };
  } catch (err) {
    const logs = [...processes.values()].map((p) => `--- ${p.name}\n${p.tail(1_500)}`).join('\n');
    process.off('exit', onExit);
    await destroy();
    throw new Error(`multi-host topology failed to start: ${(err as Error).message}\n${logs}`);
  }
};
