/**
 * argon2id password hashing (@node-rs/argon2, native, runs off the event loop).
 * At most ARGON2_CONCURRENCY hashes run at once so a login burst can't eat every
 * core; beyond a bounded queue, callers get 503 instead of piling up memory.
 */

import { AppError } from '@lockbox/service-kit';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import type { AuthEnv } from './env';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies against `stored`, or against a dummy hash when the user does not exist (same cost either way). */
  verify(stored: string | undefined, password: string): Promise<boolean>;
}

export const createPasswordHasher = async (env: AuthEnv): Promise<PasswordHasher> => {
  const options = {
    // Algorithm.Argon2id; a const enum, which isolated modules can't read.
    algorithm: 2 as Algorithm,
    memoryCost: env.ARGON2_MEMORY_KIB,
    timeCost: env.ARGON2_ITERATIONS,
    parallelism: env.ARGON2_PARALLELISM,
  };
  const limit = pLimit(env.ARGON2_CONCURRENCY);
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    if (limit.pendingCount >= env.ARGON2_QUEUE_MAX)
      throw new AppError('service_unavailable', 'too many sign-ins at once; try again', { retryAfter: 1 });
    return limit(fn);
  };
  const dummy = await hash('lockbox-dummy-password-for-unknown-users', options);
  return {
    hash: (password) => run(() => hash(password, options)),
    verify: (stored, password) =>
      run(async () => {
        const ok = await verify(stored ?? dummy, password).catch(() => false);
        return stored !== undefined && ok;
      }),
  };
};
