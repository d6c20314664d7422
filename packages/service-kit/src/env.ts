/**
 * Environment, read once and parsed with zod: a typo'd or missing setting stops
 * the process at start with a clear message instead of failing later.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

import { zBoolish, zIntSetting } from './env-fields';

export * from './env-fields';

export const ZBaseEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Also log to stdout (the log file is always written). */
  LOCKBOX_LOG_STDOUT: zBoolish.default(true),
  LOCKBOX_DATA_DIR: z.string().default('data'),
  LOCKBOX_LOG_DIR: z.string().default('logs'),
  /** Shared secret for service-to-service calls; generated under the data dir when unset. */
  LOCKBOX_INTERNAL_SECRET: z.string().min(32).optional(),
  /** postgres://… for real Postgres (Supabase included); unset means embedded PGlite. */
  DATABASE_URL: z.url().optional(),
  DATABASE_POOL_MAX: zIntSetting(10, 1, 200),
  /** Postgres: connecting longer than this fails the request with 503. */
  DATABASE_CONNECT_TIMEOUT_MS: zIntSetting(3_000, 100, 120_000),
  /**
   * Postgres: a query unanswered after this fails with 503 + Retry-After (a stalled network path
   * never answers). Below the gateway's upstream timeout (15 s), so clients get the 503, not a 504.
   */
  DATABASE_QUERY_TIMEOUT_MS: zIntSetting(10_000, 100, 600_000),
  REDIS_URL: z.url().optional(),
  /** Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  LOCKBOX_REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/i)
    .default('lockbox'),
  HOST: z.string().default('127.0.0.1'),
  /** Names this instance in logs and metrics when several run (e.g. auth-2). */
  LOCKBOX_INSTANCE: z.string().optional(),
  /** Largest request body a service reads, in bytes. */
  LOCKBOX_BODY_LIMIT: zIntSetting(1024 * 1024, 1024, 64 * 1024 * 1024),
});
export type BaseEnv = z.infer<typeof ZBaseEnv>;

export const loadEnv = <S extends z.ZodObject>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> => {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    console.error(`invalid environment:\n${lines}`);
    process.exit(78); // EX_CONFIG
  }
  return parsed.data;
};

/**
 * The folder relative settings (data/, logs/) are resolved against: LOCKBOX_ROOT,
 * else the checkout a process was started in (the nearest folder above the
 * working directory with pnpm-workspace.yaml), else the working directory. A
 * service started from its own package folder (`pnpm --filter … dev`, turbo)
 * must find the same data directory, and so the same internal secret, as the others.
 */
export const baseDir = (cwd: string = process.cwd()): string => {
  if (process.env.LOCKBOX_ROOT) return process.env.LOCKBOX_ROOT;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
};

export const resolveDir = (dir: string) => path.resolve(baseDir(), dir);
