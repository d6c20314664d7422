/**
 * LockBox started by hand for a bench that needs its own wiring (a baseline
 * beside it, a second realtime on a port of its own): auth, messages,
 * realtime and the gateway on free loopback ports, sharing one secret, data
 * and logs in the bench's temp dir. (The soak uses testkit's stack instead,
 * see stack.ts: it needs restarts on the same port.)
 */
import path from 'node:path';
import { deployable } from '@lockbox/contracts/deployables';
import { BENCH_ENV, spawnNodeEntry } from './node-servers';
import { freePort, type Proc, waitForHttp } from './processes';

/** The TypeScript entries from the one list of deployables: benches run the same code as the tests. */
export const ENTRIES = {
  auth: deployable('auth').entry,
  messages: deployable('messages').entry,
  realtime: deployable('realtime').entry,
  gateway: deployable('gateway').entry,
} as const;

export interface ServicePorts {
  auth: number;
  messages: number;
  realtime: number;
}

/** Rate limits no bench run reaches: registering and pairing up many users is set-up, not load. */
export const NO_USER_RATE_LIMITS: Record<string, string> = {
  RL_REGISTER_PER_IP: '1000000',
  RL_LOGIN_PER_IP: '1000000',
  RL_CHAT_REQUESTS_PER_USER: '1000000',
};

export const localUrl = (port: number) => `http://127.0.0.1:${port}`;

/** A free loopback port for each name. */
export const freePortsFor = async <K extends string>(names: readonly K[]): Promise<Record<K, number>> =>
  Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const))) as Record<
    K,
    number
  >;

/** What every LockBox process of the stack is started with. */
export const lockboxEnv = (
  workDir: string,
  secret: string,
  ports: ServicePorts,
  extra: Record<string, string>,
): Record<string, string> => ({
  ...BENCH_ENV,
  LOCKBOX_INTERNAL_SECRET: secret,
  LOCKBOX_DATA_DIR: path.join(workDir, 'data'),
  LOCKBOX_LOG_DIR: path.join(workDir, 'logs'),
  AUTH_URLS: localUrl(ports.auth),
  MESSAGES_URLS: localUrl(ports.messages),
  REALTIME_URLS: localUrl(ports.realtime),
  ...extra,
});

/** The gateway in front of the three services, its per-IP limit off (all load comes from one address). */
export const gatewayEnv = (ports: ServicePorts): Record<string, string> => ({
  AUTH_UPSTREAMS: localUrl(ports.auth),
  MESSAGES_UPSTREAMS: localUrl(ports.messages),
  REALTIME_UPSTREAMS: localUrl(ports.realtime),
  RL_GATEWAY_PER_IP: '0',
  // Metrics are still recorded; the admin listener is off so two stacks never fight over its port.
  GATEWAY_ADMIN_PORT: '0',
});

export type StartProcess = (
  name: string,
  entry: string,
  port: number,
  env: Record<string, string>,
  readyPath: string,
) => Promise<Proc>;

/** Starts one process with the shared env (plus its own) and waits until `readyPath` answers. */
export const processStarter =
  (
    workDir: string,
    common: Record<string, string>,
    profileDirOf: (name: string) => string | undefined = () => undefined,
  ): StartProcess =>
  async (name, entry, port, env, readyPath) => {
    const proc = spawnNodeEntry({
      name,
      entry,
      workDir,
      port,
      env: { ...common, ...env },
      profileDir: profileDirOf(name),
    });
    await waitForHttp(`${localUrl(port)}${readyPath}`, proc, 180_000);
    return proc;
  };
