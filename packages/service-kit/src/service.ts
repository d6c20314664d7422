/**
 * Boots a LockBox service: env → logger → database + migrations → router →
 * HTTP server with health/ready/metrics → graceful shutdown. A service's own
 * folder then holds only its domain.
 */
import type http from 'node:http';
import path from 'node:path';
import type { ContractTree } from '@lockbox/contracts';
import type { AnyTRPCRouter } from '@trpc/server';
import type { z } from 'zod';
import { type Database, noDatabase, openDatabase, runMigrations } from './db';
import { type BaseEnv, loadEnv, resolveDir, ZBaseEnv, zIntSetting } from './env';
import { createServiceHttpServer } from './http/server';
import { deriveCredentials, loadSharedSecret, type ServiceCredentials } from './internal-auth';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import type { AuthUser } from './trpc';

export interface ServiceKit<E extends BaseEnv> {
  env: E;
  log: Logger;
  db: Database;
  metrics: Metrics;
  credentials: ServiceCredentials;
  dataDir: string;
}

export interface ServiceParts {
  router: AnyTRPCRouter;
  contracts: ContractTree[];
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
  /** Runs first on shutdown, before the server stops accepting (e.g. to close WebSockets with 1001). */
  onShutdown?: () => Promise<void> | void;
  /** Runs on shutdown, before the database closes. */
  onClose?: () => Promise<void> | void;
  /** Called with the created server (e.g. to attach a WebSocket upgrade handler). */
  onServer?: (server: http.Server) => void;
}

export interface ServiceDefinition<S extends z.ZodObject> {
  name: string;
  /** Postgres schema owning this service's tables. */
  schema: string;
  defaultPort: number;
  migrationsDir: string;
  /** False for a service that keeps no tables (realtime): no database is opened, so several
   * instances need no shared Postgres, and `kit.db` refuses queries. Default true. */
  database?: boolean;
  env: S;
  setup: (kit: ServiceKit<z.infer<S> & BaseEnv>) => Promise<ServiceParts>;
}

export interface RunningService {
  server: http.Server;
  port: number;
  kit: ServiceKit<BaseEnv>;
  close: () => Promise<void>;
}

export const startService = async <S extends z.ZodObject>(
  def: ServiceDefinition<S>,
  source: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> => {
  const envSchema = ZBaseEnv.extend(def.env.shape).extend({
    PORT: zIntSetting(def.defaultPort, 0, 65_535),
  });
  const env = loadEnv(envSchema, source) as z.infer<S> & BaseEnv & { PORT: number };
  const dataDir = resolveDir(env.LOCKBOX_DATA_DIR);
  const instance = env.LOCKBOX_INSTANCE ?? def.name;
  const log = createLogger({
    service: def.name,
    instance,
    logDir: resolveDir(env.LOCKBOX_LOG_DIR),
    level: env.LOG_LEVEL,
    stdout: env.LOCKBOX_LOG_STDOUT,
  });
  const db =
    def.database === false
      ? noDatabase()
      : await openDatabase({
          service: def.name,
          dataDir,
          url: env.DATABASE_URL,
          poolMax: env.DATABASE_POOL_MAX,
          timeouts: {
            connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
            queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
          },
          log,
        });
  if (def.database !== false) {
    const applied = await runMigrations(db, def.schema, def.migrationsDir);
    if (applied.length) log.info({ applied }, 'migrations applied');
  }
  const credentials = deriveCredentials(loadSharedSecret(env.LOCKBOX_INTERNAL_SECRET, dataDir));
  const metrics = createMetrics(def.name, instance);
  const kit: ServiceKit<typeof env> = { env, log, db, metrics, credentials, dataDir };
  const parts = await def.setup(kit);
  const server = createServiceHttpServer({
    service: def.name,
    router: parts.router,
    contracts: parts.contracts,
    log,
    metrics,
    credentials,
    bodyLimit: env.LOCKBOX_BODY_LIMIT,
    authenticate: parts.authenticate,
    ready: () => db.ping(),
  });
  parts.onServer?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  log.info({ port, host: env.HOST, engine: db.engine }, `${def.name} listening`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info('shutting down');
      await parts.onShutdown?.();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([drained, new Promise((r) => setTimeout(r, 10_000).unref())]);
      server.closeAllConnections();
      await parts.onClose?.();
      await db.close();
      log.info('stopped');
      log.flush();
    })();
    return closing;
  };
  return { server, port, kit: kit as ServiceKit<BaseEnv>, close };
};

/** Entry point for `tsx src/main.ts`: start, and stop cleanly on SIGTERM/SIGINT. */
export const runService = async <S extends z.ZodObject>(def: ServiceDefinition<S>) => {
  let running: RunningService | undefined;
  const stop = async (signal: string) => {
    running?.kit.log.info({ signal }, 'signal received');
    await running?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (err) => running?.kit.log.error({ err }, 'unhandled rejection'));
  try {
    running = await startService(def);
  } catch (err) {
    console.error(`${def.name} failed to start:`, err);
    process.exit(1);
  }
};

export const migrationsDirOf = (importMetaUrl: string) =>
  path.resolve(path.dirname(new URL(importMetaUrl).pathname), '..', 'migrations');
