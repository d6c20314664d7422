/**
 * Entry point (`node --import tsx gateway/src/main.ts`): env → logger →
 * gateway credential → optional Redis → listen; SIGTERM/SIGINT drain and stop.
 */
import { SERVICES } from '@lockbox/contracts';
import {
  createLogger,
  deriveCredentials,
  LIMITER_REDIS_OPTIONS,
  loadSharedSecret,
  resolveDir,
} from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import { AccessLog } from './access-log';
import { type AdminListener, createAdminListener } from './admin-listener';
import { loadGatewayEnv, upstreamsOf } from './env';
import { createGateway, type Gateway } from './gateway';

const env = loadGatewayEnv();
const instance = env.LOCKBOX_INSTANCE ?? 'gateway';
const log = createLogger({
  service: 'gateway',
  instance,
  logDir: resolveDir(env.LOCKBOX_LOG_DIR),
  level: env.LOG_LEVEL,
  stdout: env.LOCKBOX_LOG_STDOUT,
});

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
    env,
    log,
    gatewayToken,
    instance,
    ...(redis ? { redis } : {}),
    ...(accessLog ? { accessLog } : {}),
  });
  const port = await gateway.listen();
  if (env.GATEWAY_ADMIN_PORT !== 0) {
    admin = createAdminListener({
      host: env.GATEWAY_ADMIN_HOST,
      port: env.GATEWAY_ADMIN_PORT,
      metrics: gateway.metrics,
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
