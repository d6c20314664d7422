/** Auth-service settings (on top of service-kit's base env). Defaults suit one box; see .env.example. */
import { zIntSetting as int } from '@lockbox/service-kit';
import { z } from 'zod';

export const ZAuthEnv = z.object({
  /** argon2id cost for stored password hashes; never below OWASP's m=19 MiB, t=2, p=1. */
  ARGON2_MEMORY_KIB: int(19_456, 19_456),
  ARGON2_ITERATIONS: int(2, 2),
  ARGON2_PARALLELISM: int(1, 1),
  /** Hashes computed at once; more wait in line, and past the queue bound get 503. */
  ARGON2_CONCURRENCY: int(2),
  ARGON2_QUEUE_MAX: int(64),
  SESSION_TTL_DAYS: int(30),
  /** Rate limits: per IP and per account, windows in seconds. */
  RL_REGISTER_PER_IP: int(20),
  RL_REGISTER_WINDOW_S: int(3600),
  RL_LOGIN_PER_IP: int(100),
  RL_LOGIN_WINDOW_S: int(900),
  RL_LOGIN_FAILS_PER_ACCOUNT_IP: int(5),
  RL_LOGIN_FAILS_PER_ACCOUNT: int(50),
  RL_LOGIN_BLOCK_S: int(900),
  RL_PRELOGIN_PER_IP: int(120),
  /** KeyPackage claims per caller per minute: each claim drains other devices' pools. */
  RL_KEY_PACKAGE_CLAIMS_PER_MIN: int(30),
  /** Total stored history-archive bytes per account (decoded segment sizes); above it, 413. */
  ARCHIVE_MAX_BYTES: int(1024 * 1024 * 1024),
});
export type AuthEnv = z.infer<typeof ZAuthEnv>;
