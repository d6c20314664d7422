/**
 * From a password to the two account keys (zero-knowledge login and vault).
 *
 *   master      = argon2id(NFC(password), salt, m, t, p) → 32 bytes   (params from prelogin)
 *   loginSecret = base64(HKDF-SHA256(master, info = "lockbox/v1/login-secret", 32))  → sent as `password`
 *   vaultKey    = HKDF-SHA256(master, info = "lockbox/v1/vault-key", 32)            → never leaves the client
 *
 * Since KDF version 2 the salt argon2id runs with is bound to the account:
 *
 *   salt = SHA-256("lockbox/v1/salt" ‖ 0x00 ‖ u8 len ‖ lowercase(username) ‖ server salt (16 B))
 *
 * so a salt the server picks or hands to several accounts cannot serve one
 * precomputed table, and two accounts never share a derivation. Version 1
 * (accounts made before) used the server salt as is; see session/kdf-guard.ts
 * for what a client accepts and session/kdf-migration.ts for the upgrade.
 *
 * HKDF with distinct labels makes the two outputs independent: the server
 * (which sees the login secret, and stores only its own argon2id hash of it)
 * learns nothing about the vault key. argon2id runs through hash-wasm: the same
 * WASM build in Node and browsers, ~4× faster than a pure-JS argon2 at 64 MiB
 * (see docs/SECURITY.md for the measurement).
 */
import { KDF_VERSION_BOUND, type TClientKdf } from '@lockbox/contracts';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import { concatBytes, fromBase64, toBase64, utf8 } from './bytes';
import { type RandomSource, systemRandom } from './random';

export const LOGIN_SECRET_LABEL = 'lockbox/v1/login-secret';
export const VAULT_KEY_LABEL = 'lockbox/v1/vault-key';
export const SALT_LABEL = 'lockbox/v1/salt';

/** What the SDK registers new accounts with: OWASP's "64 MiB, 3 passes, 1 lane" argon2id profile. */
export const DEFAULT_KDF = { memory_kib: 65_536, iterations: 3, parallelism: 1 } as const;

/** Parameters for a new account or a new password: a fresh server salt, bound to the username (version 2). */
export const newClientKdf = (random: RandomSource = systemRandom): TClientKdf => ({
  algorithm: 'argon2id',
  salt: toBase64(random(16)),
  ...DEFAULT_KDF,
  version: KDF_VERSION_BOUND,
});

/**
 * The salt argon2id runs with under version 2. The username is length-prefixed
 * (one byte: a username has at most 64 UTF-16 units, under 256 UTF-8 bytes) and
 * the server salt has a fixed 16 bytes, so no two (username, salt) pairs hash
 * the same input.
 */
export const boundSalt = (username: string, serverSalt: Uint8Array): Uint8Array => {
  const name = utf8(username.toLowerCase());
  if (name.length > 255) throw new Error('username too long to bind a salt to');
  if (serverSalt.length !== 16) throw new Error('the server salt must be 16 bytes');
  return sha256(concatBytes(utf8(SALT_LABEL), new Uint8Array([0, name.length]), name, serverSalt));
};

/** The salt a KDF answer means for this username: bound (version 2) or the server's own (version 1). */
export const kdfSalt = (username: string | undefined, kdf: TClientKdf): Uint8Array => {
  const serverSalt = fromBase64(kdf.salt, 16);
  if (kdf.version !== KDF_VERSION_BOUND) return serverSalt;
  if (username === undefined) throw new Error('a version 2 KDF needs the username its salt is bound to');
  return boundSalt(username, serverSalt);
};

export type Argon2id = (password: Uint8Array, salt: Uint8Array, kdf: TClientKdf) => Promise<Uint8Array>;

export const wasmArgon2id: Argon2id = (password, salt, kdf) =>
  argon2id({
    password,
    salt,
    iterations: kdf.iterations,
    memorySize: kdf.memory_kib,
    parallelism: kdf.parallelism,
    hashLength: 32,
    outputType: 'binary',
  });

export interface AccountKeys {
  /** What the SDK sends as `password` to register and login (44 base64 characters). */
  loginSecret: string;
  /** Encrypts the key vault; never sent anywhere. */
  vaultKey: Uint8Array;
}

/**
 * `username` is required for version 2 parameters (the salt is bound to it);
 * version 1 (absent) derives with the server salt as is, for old accounts.
 * Callers check the parameters first (session/kdf-guard.ts): this function
 * derives with whatever it is given.
 */
export const deriveAccountKeys = async (
  password: string,
  kdf: TClientKdf,
  argon: Argon2id = wasmArgon2id,
  username?: string,
): Promise<AccountKeys> => {
  if (kdf.algorithm !== 'argon2id') throw new Error(`unsupported KDF ${String(kdf.algorithm)}`);
  const master = await argon(utf8(password.normalize('NFC')), kdfSalt(username, kdf), kdf);
  try {
    return {
      loginSecret: toBase64(hkdf(sha256, master, undefined, utf8(LOGIN_SECRET_LABEL), 32)),
      vaultKey: hkdf(sha256, master, undefined, utf8(VAULT_KEY_LABEL), 32),
    };
  } finally {
    master.fill(0);
  }
};
