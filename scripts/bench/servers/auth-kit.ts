/**
 * What the baseline servers need from the auth service, built the way
 * service-kit's startService builds it: env, logger, the PGlite database with
 * the auth migrations, credentials, metrics — so the baselines run the very
 * same handler code on the same kind of database, only served differently.
 */
import path from 'node:path';
import { authService } from '@lockbox/auth-service/definition';
import {
  createLogger,
  createMetrics,
  deriveCredentials,
  loadEnv,
  loadSharedSecret,
  openDatabase,
  runMigrations,
  ZBaseEnv,
} from '@lockbox/service-kit';

export const openAuthKit = async (name: string) => {
  const env = loadEnv(ZBaseEnv.extend(authService.env.shape), process.env);
  const dataDir = path.resolve(env.LOCKBOX_DATA_DIR);
  const log = createLogger({
    service: name,
    logDir: path.resolve(env.LOCKBOX_LOG_DIR),
    level: env.LOG_LEVEL,
    stdout: env.LOCKBOX_LOG_STDOUT,
  });
  const db = await openDatabase({ service: 'auth', dataDir, url: undefined, poolMax: 1, log });
  await runMigrations(db, authService.schema, authService.migrationsDir);
  return {
    env,
    log,
    db,
    dataDir,
    metrics: createMetrics(name, name),
    credentials: deriveCredentials(loadSharedSecret(env.LOCKBOX_INTERNAL_SECRET, dataDir)),
  };
};

/** Listens on PORT (127.0.0.1) and closes cleanly on SIGTERM/SIGINT. */
export const listenUntilSignalled = (
  server: import('node:http').Server,
  close: () => Promise<void>,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const stop = () => {
      server.closeAllConnections();
      server.close(() => void close().finally(() => process.exit(0)));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    server.once('error', reject);
    server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => resolve());
  });
