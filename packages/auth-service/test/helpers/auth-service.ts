/**
 * The auth service started in this process (service-kit's startService on a
 * free port, temp data and log dirs), on PGlite or on a fresh Postgres
 * database: faster than spawning, and the test can reach its parts (log file,
 * credentials, database) to check what a black-box test cannot.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningService, startService } from '@lockbox/service-kit';
import { type Client, client, createTempDatabase, type Engine, type TempDatabase } from '@lockbox/testkit';
import { authService } from '../../src/definition';

export interface TestAuth {
  engine: Engine;
  url: string;
  api: Client;
  running: RunningService;
  logFile: string;
  internalToken: string;
  gatewayToken: string;
  /** The Postgres database (engine postgres), for a second instance on the same data. */
  databaseUrl: string | undefined;
  /** Flushes the logger and reads the log file (poll it: the write is asynchronous). */
  readLog(): string;
  close(): Promise<void>;
}

/** Generous limits unless a test sets its own; argon2 at OWASP's floor (the service refuses less). */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  LOCKBOX_LOG_STDOUT: '0',
  HOST: '127.0.0.1',
  PORT: '0',
  RL_REGISTER_PER_IP: '100000',
  RL_LOGIN_PER_IP: '100000',
  RL_PRELOGIN_PER_IP: '100000',
};

export const startAuth = async (
  engine: Engine,
  env: Record<string, string> = {},
  /** Another instance's database: this one shares it (and leaves dropping it to that one). */
  shareDatabase?: string,
): Promise<TestAuth> => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-test-'));
  let temp: TempDatabase | undefined;
  if (engine === 'postgres' && !shareDatabase) {
    const admin = process.env.TEST_DATABASE_URL;
    if (!admin) throw new Error('engine postgres needs TEST_DATABASE_URL');
    temp = await createTempDatabase(admin);
  }
  const running = await startService(authService, {
    ...TEST_ENV,
    LOCKBOX_DATA_DIR: path.join(root, 'data'),
    LOCKBOX_LOG_DIR: path.join(root, 'logs'),
    LOCKBOX_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
    LOCKBOX_REDIS_PREFIX: `lbtest${randomBytes(4).toString('hex')}`,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(temp ? { DATABASE_URL: temp.url } : {}),
    ...(shareDatabase ? { DATABASE_URL: shareDatabase } : {}),
    ...env,
  });
  const url = `http://127.0.0.1:${running.port}`;
  const logFile = path.join(root, 'logs', 'auth.log');
  return {
    engine,
    url,
    api: client(url),
    running,
    logFile,
    internalToken: running.kit.credentials.internalToken,
    gatewayToken: running.kit.credentials.gatewayToken,
    databaseUrl: shareDatabase ?? temp?.url,
    readLog: () => {
      running.kit.log.flush();
      return fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    },
    close: async () => {
      await running.close();
      await temp?.drop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
};
