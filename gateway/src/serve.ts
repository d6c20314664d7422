/**
 * One serving gateway process: the whole gateway when GATEWAY_WORKERS is 1,
 * else one cluster worker (no admin listener: the primary has it, and asks
 * this process for its metrics and health over IPC). SIGTERM/SIGINT drain
 * and stop.
 */
import { SERVICES } from '@lockbox/contracts';
import {
  deriveCredentials,
  LIMITER_REDIS_OPTIONS,
  type Logger,
  loadSharedSecret,
  resolveDir,
} from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import { AccessLog } from './access-log';
import { type AdminListener, createAdminListener } from './admin-listener';
import { answerPrimary } from './cluster-worker';
import { type GatewayEnv, upstreamsOf } from './env';
import { createGateway, type Gateway } from './gateway';

export interface ServeOptions {
  env: GatewayEnv;
  log: Logger;
  instance: string;
  /** This process's slot when it is a cluster worker. */
  worker?: string;
}

export const serve = async ({ env, log, instance, worker }: ServeOptions): Promise<void> => {
  let gateway: Gateway | undefined;
  let admin: AdminListener | undefined;
  let redis: Redis | undefined;

  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await Promise.all([gateway?.close(), admin?.close()]);
    await redis?.quit().catch(() => undefined);
    log.info('stopped');
    log.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  try {
    const { gatewayToken } = deriveCredentials(
      loadSharedSecret(env.LOCKBOX_INTERNAL_SECRET, resolveDir(env.LOCKBOX_DATA_DIR)),
    );
    if (env.REDIS_URL) {
      redis = new Redis(env.REDIS_URL, LIMITER_REDIS_OPTIONS);
      redis.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
    }
    const accessLog =
      env.GATEWAY_ACCESS_LOG && log.isLevelEnabled('info')
        ? new AccessLog({ logDir: resolveDir(env.LOCKBOX_LOG_DIR), instance, stdout: env.LOCKBOX_LOG_STDOUT })
        : undefined;
    gateway = createGateway({
      env: perWorkerLimits(env, redis !== undefined),
      log,
      gatewayToken,
      instance,
      ...(worker ? { worker } : {}),
      ...(redis ? { redis } : {}),
      ...(accessLog ? { accessLog } : {}),
    });
    if (worker) answerPrimary(gateway.metrics.registry, gateway.health);
    const port = await gateway.listen();
    if (!worker && env.GATEWAY_ADMIN_PORT !== 0) {
      admin = createAdminListener({
        host: env.GATEWAY_ADMIN_HOST,
        port: env.GATEWAY_ADMIN_PORT,
        metrics: gateway.metrics.registry,
        health: gateway.health,
      });
      const adminPort = await admin.listen();
      log.info({ port: adminPort, host: env.GATEWAY_ADMIN_HOST }, 'admin listener (/metrics) listening');
    }
    log.info(
      {
        port,
        host: env.HOST,
        upstreams: Object.fromEntries(SERVICES.map((s) => [s, upstreamsOf(env, s)])),
        cors: env.LOCKBOX_CORS_ORIGINS,
      },
      'gateway listening',
    );
  } catch (err) {
    console.error('gateway failed to start:', err);
    process.exit(1);
  }
};

/**
 * Without Redis each worker counts requests in its own memory, and a client's connections are
 * spread over the workers: each worker then allows its share of RL_GATEWAY_PER_IP (rounded up),
 * so the whole gateway allows about the configured limit — a client that keeps one connection
 * meets one worker and so a share of it. With Redis the workers share one count: no division.
 */
export const perWorkerLimits = (env: GatewayEnv, sharedStore: boolean): GatewayEnv =>
  sharedStore || env.GATEWAY_WORKERS === 1 || env.RL_GATEWAY_PER_IP === 0
    ? env
    : { ...env, RL_GATEWAY_PER_IP: Math.ceil(env.RL_GATEWAY_PER_IP / env.GATEWAY_WORKERS) };
