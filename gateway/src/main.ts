/**
 * Entry point (`node --import tsx gateway/src/main.ts`): env → logger → either
 * one serving process (GATEWAY_WORKERS=1, the default) or a cluster primary
 * that forks GATEWAY_WORKERS serving workers running this same file.
 */
import cluster from 'node:cluster';
import { createLogger, resolveDir } from '@lockbox/service-kit';
import { runPrimary, WORKER_SLOT_ENV } from './cluster-primary';
import { loadGatewayEnv } from './env';
import { serve } from './serve';

const env = loadGatewayEnv();
const instance = env.LOCKBOX_INSTANCE ?? 'gateway';
const worker = cluster.isWorker ? process.env[WORKER_SLOT_ENV] : undefined;
const root = createLogger({
  service: 'gateway',
  instance,
  logDir: resolveDir(env.LOCKBOX_LOG_DIR),
  level: env.LOG_LEVEL,
  stdout: env.LOCKBOX_LOG_STDOUT,
});
const log = worker ? root.child({ worker }) : root;

if (env.GATEWAY_WORKERS > 1 && cluster.isPrimary) {
  runPrimary({ env, log, instance }).catch((err) => {
    console.error('gateway failed to start:', err);
    process.exit(1);
  });
} else {
  void serve({ env, log, instance, ...(worker ? { worker } : {}) });
}
