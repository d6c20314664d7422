/**
 * Prelogin answers the client KDF parameters for a username. Accounts made by
 * the SDK have their own random salt; for any other name (unknown, or a curl
 * account) the salt is HMAC(server key, lowercased name): stable across calls
 * and indistinguishable from a real one, so prelogin reveals no account.
 * Fake answers carry KDF version 2 (salt bound to the username), the version
 * every account registered or signed in since issue 11 has; an account stored
 * without a version predates it and answers 1 until its next login migrates it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  KDF_VERSION_BOUND,
  KDF_VERSION_LEGACY,
  type TClientKdf,
  type TPreloginResponse,
} from '@lockbox/contracts';
import type { Database } from '@lockbox/service-kit';
import { getOrCreateSecret } from './server-secrets';

/** What the SDK uses for new accounts (see docs/SECURITY.md): 64 MiB, 3 passes. */
export const DEFAULT_CLIENT_KDF = {
  algorithm: 'argon2id',
  memory_kib: 65_536,
  iterations: 3,
  parallelism: 1,
} as const;

export interface PreloginSalts {
  answer(username: string, stored: TClientKdf | null | undefined): TPreloginResponse;
}

export const createPreloginSalts = async (db: Database): Promise<PreloginSalts> => {
  const key = await getOrCreateSecret(db, 'prelogin_salt_key', async () =>
    randomBytes(32).toString('base64'),
  );
  return {
    answer: (username, stored) =>
      stored
        ? { ...stored, version: stored.version ?? KDF_VERSION_LEGACY }
        : {
            ...DEFAULT_CLIENT_KDF,
            salt: createHmac('sha256', key)
              .update(username.toLowerCase())
              .digest()
              .subarray(0, 16)
              .toString('base64'),
            version: KDF_VERSION_BOUND,
          },
  };
};
