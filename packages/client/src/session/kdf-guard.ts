/**
 * What a client accepts from prelogin, checked before it derives anything or
 * sends a secret (docs/SECURITY.md 9.2, "KDF parameters"). The server is the
 * attacker here: it chooses the parameters a password is stretched with, and
 * it gets the login secret derived with them.
 * - A floor and a ceiling: "1 MiB, 1 pass" would make each offline password
 *   guess hundreds of times cheaper; an absurd maximum would freeze or crash
 *   the device. Either is `kdf_refused`.
 * - Device memory: the parameters and salt this device last used for an
 *   account. Any change it did not make itself is `kdf_changed`, unless the
 *   user explicitly accepts it (a password changed on another device); going
 *   back from the bound salt (version 2) to the legacy one is refused always.
 */
import {
  KDF_VERSION_BOUND,
  KDF_VERSION_LEGACY,
  type TClientKdf,
  type TPreloginResponse,
} from '@lockbox/contracts';
import type { LockboxApi } from '../api/client';
import { call } from '../api/errors';
import { DEFAULT_KDF } from '../crypto';
import { SessionError } from './errors';

/** The SDK's own registration parameters are the least it accepts (OWASP's first argon2id profile). */
export const KDF_FLOOR = DEFAULT_KDF;
/**
 * 1 GiB still fits a phone or a browser tab; 16 passes at 64 MiB stay within
 * seconds. One lane only: every LockBox client registers with one, and the
 * WASM argon2 runs lanes one after another anyway.
 */
export const KDF_CEILING = { memory_kib: 1_048_576, iterations: 16, parallelism: 1 } as const;

/** Where a device keeps the parameters it last used per account (Profile; survives sign-out). */
export interface KdfMemory {
  rememberedKdf(username: string): Promise<TClientKdf | undefined>;
  rememberKdf(username: string, kdf: TClientKdf): Promise<void>;
}

export interface KdfCheckOptions {
  /** The user changed the password on another device and accepts new parameters (never a downgrade). */
  acceptKdfChange?: boolean;
}

const describe = (k: Pick<TClientKdf, 'memory_kib' | 'iterations' | 'parallelism'>) =>
  `${k.memory_kib / 1024} MiB, ${k.iterations} passes, ${k.parallelism} lane(s)`;

/** Refuses parameters below the floor or above the ceiling (`kdf_refused`). */
export const checkKdfPolicy = (kdf: TPreloginResponse): void => {
  const weak =
    kdf.memory_kib < KDF_FLOOR.memory_kib ||
    kdf.iterations < KDF_FLOOR.iterations ||
    kdf.parallelism < KDF_FLOOR.parallelism;
  if (weak)
    throw new SessionError(
      'kdf_refused',
      `the server asks to derive your password key with argon2id at ${describe(kdf)}, below this app's floor of ${describe(KDF_FLOOR)}: that would make your password cheap to guess. Nothing was sent.`,
    );
  const absurd =
    kdf.memory_kib > KDF_CEILING.memory_kib ||
    kdf.iterations > KDF_CEILING.iterations ||
    kdf.parallelism > KDF_CEILING.parallelism;
  if (absurd)
    throw new SessionError(
      'kdf_refused',
      `the server asks to derive your password key with argon2id at ${describe(kdf)}, above this app's ceiling of ${describe(KDF_CEILING)}. Nothing was sent.`,
    );
};

const versionOf = (kdf: TClientKdf) => kdf.version ?? KDF_VERSION_LEGACY;

const sameKdf = (a: TClientKdf, b: TClientKdf) =>
  a.salt === b.salt &&
  a.memory_kib === b.memory_kib &&
  a.iterations === b.iterations &&
  a.parallelism === b.parallelism &&
  versionOf(a) === versionOf(b);

/** Refuses an answer that differs from what this device remembers for the account (`kdf_changed`). */
export const checkKdfAgainstMemory = (
  username: string,
  kdf: TClientKdf,
  remembered: TClientKdf | undefined,
  opts: KdfCheckOptions = {},
): void => {
  if (!remembered || sameKdf(kdf, remembered)) return;
  if (versionOf(remembered) === KDF_VERSION_BOUND && versionOf(kdf) !== KDF_VERSION_BOUND)
    throw new SessionError(
      'kdf_changed',
      `the server now says ${username}'s password key uses the old, unbound salt, but this device has already used the salt bound to the username for it: that is a downgrade, refused. Nothing was sent.`,
    );
  if (opts.acceptKdfChange) return;
  throw new SessionError(
    'kdf_changed',
    `the server changed ${username}'s password-key parameters (salt or argon2id settings) since this device last signed in, and not from here. If you changed your password on another device, sign in again and accept the change; otherwise the server may be trying to capture a guessable secret. Nothing was sent.`,
  );
};

/** Asks prelogin for the account's parameters and returns them only if this device accepts them. */
export const fetchAccountKdf = async (
  api: LockboxApi,
  memory: KdfMemory,
  username: string,
  opts: KdfCheckOptions = {},
): Promise<TClientKdf> => {
  const answer = await call(() => api.trpc.auth.prelogin.mutate({ username }));
  checkKdfPolicy(answer);
  const kdf: TClientKdf = {
    algorithm: answer.algorithm,
    salt: answer.salt,
    memory_kib: answer.memory_kib,
    iterations: answer.iterations,
    parallelism: answer.parallelism,
    version: answer.version,
  };
  checkKdfAgainstMemory(username, kdf, await memory.rememberedKdf(username), opts);
  return kdf;
};
