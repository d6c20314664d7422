/**
 * GATEWAY_WORKERS > 1: this process forks the workers (node:cluster, which
 * hands the public port's connections round-robin to them: Node 20's
 * net.Server has no reusePort) and keeps what must exist once:
 * - the admin listener: /metrics merges every worker's registry (prom-client's
 *   AggregatorRegistry; each series carries its `worker` label) with the
 *   primary's own; /health is one worker's report, asked over IPC;
 * - restarts: a worker that exits unexpectedly is forked again into its slot,
 *   at once the first time, with a growing delay while it keeps dying young;
 * - shutdown: SIGTERM/SIGINT reach every worker (each drains like a single
 *   gateway does), the primary exits when they all have.
 * A worker that fails before it ever listened (a taken port, a bad setting)
 * stops the whole gateway with exit code 1, as a single process would.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@lockbox/service-kit';
import client, { AggregatorRegistry } from 'prom-client';
import { type AdminListener, createAdminListener, type HealthSource } from './admin-listener';
import { HEALTH_MESSAGE, isHealthMessage } from './cluster-worker';
import type { GatewayEnv } from './env';
import type { HealthReport } from './health';

/** The environment variable that tells a worker its slot (1…GATEWAY_WORKERS). */
export const WORKER_SLOT_ENV = 'LOCKBOX_GATEWAY_WORKER';

const HEALTH_TIMEOUT_MS = 5_000;
/** After SIGTERM a worker drains for up to 10 s (gateway.ts); past this it is killed. */
const STOP_GRACE_MS = 15_000;
/** A worker that lived shorter than this died young: the next restart waits longer. */
const STABLE_MS = 10_000;
const RESTART_BASE_MS = 100;
const RESTART_MAX_MS = 10_000;

const UNAVAILABLE: HealthReport = { status: 'unavailable', services: {} };

export interface PrimaryOptions {
  env: GatewayEnv;
  log: Logger;
  instance: string;
}

export const runPrimary = async ({ env, log, instance }: PrimaryOptions): Promise<void> => {
  const slots = new Map<number, Worker>();
  let stopping = false;
  let serving = false;
  let youngDeaths = 0;
  let admin: AdminListener | undefined;

  const registry = new client.Registry();
  registry.setDefaultLabels({ service: 'gateway', instance });
  const restarts = new client.Counter({
    name: 'lockbox_gateway_worker_restarts_total',
    help: 'Gateway worker processes forked again after they exited unexpectedly',
    registers: [registry],
  });
  const aggregator = new AggregatorRegistry();

  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down the gateway workers');
    const workers = [...slots.values()];
    const exited = workers.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    );
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await Promise.all([...exited, admin?.close()]);
    clearTimeout(killer);
    log.info('stopped');
    log.flush();
    process.exit(code);
  };

  let allListening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    allListening = resolve;
  });
  const listening = new Set<number>();

  const fork = (slot: number) => {
    const bornAt = Date.now();
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
    slots.set(slot, worker);
    worker.once('listening', () => {
      listening.add(slot);
      if (listening.size === env.GATEWAY_WORKERS) allListening();
    });
    worker.once('exit', (code, signal) => {
      if (slots.get(slot) === worker) slots.delete(slot);
      if (stopping) return;
      if (!serving) {
        log.error({ worker: slot, code, signal }, 'a gateway worker failed to start');
        void stop('worker failed to start', 1);
        return;
      }
      youngDeaths = Date.now() - bornAt < STABLE_MS ? youngDeaths + 1 : 0;
      const delay = youngDeaths <= 1 ? 0 : Math.min(RESTART_BASE_MS * 2 ** (youngDeaths - 2), RESTART_MAX_MS);
      log.error({ worker: slot, code, signal, restartInMs: delay }, 'a gateway worker exited; restarting it');
      restarts.inc();
      setTimeout(() => {
        if (!stopping) fork(slot);
      }, delay);
    });
  };

  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  for (let slot = 1; slot <= env.GATEWAY_WORKERS; slot++) fork(slot);
  await ready;
  serving = true;
  log.info({ workers: env.GATEWAY_WORKERS, port: env.PORT, host: env.HOST }, 'gateway workers listening');

  if (env.GATEWAY_ADMIN_PORT !== 0 && !stopping) {
    admin = createAdminListener({
      host: env.GATEWAY_ADMIN_HOST,
      port: env.GATEWAY_ADMIN_PORT,
      metrics: {
        contentType: aggregator.contentType,
        metrics: async () => (await aggregator.clusterMetrics()) + (await registry.metrics()),
      },
      health: workerHealth(slots),
    });
    const adminPort = await admin.listen();
    log.info({ port: adminPort, host: env.GATEWAY_ADMIN_HOST }, 'admin listener (/metrics) listening');
  }
};

/** Asks one live worker for its /health report; none answering is "unavailable". */
const workerHealth = (slots: ReadonlyMap<number, Worker>): HealthSource => {
  let nextId = 0;
  const pending = new Map<number, (report: HealthReport) => void>();
  cluster.on('message', (_worker, message: unknown) => {
    if (!isHealthMessage(message)) return;
    const answer = (message as { report?: HealthReport }).report;
    pending.get(message.id)?.(answer ?? UNAVAILABLE);
  });
  return {
    report: () =>
      new Promise<HealthReport>((resolve) => {
        const worker = [...slots.values()].find((w) => w.isConnected());
        if (!worker) {
          resolve(UNAVAILABLE);
          return;
        }
        const id = nextId++;
        const done = (report: HealthReport) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(report);
        };
        const timer = setTimeout(() => done(UNAVAILABLE), HEALTH_TIMEOUT_MS);
        pending.set(id, done);
        worker.send({ type: HEALTH_MESSAGE, id });
      }),
  };
};
