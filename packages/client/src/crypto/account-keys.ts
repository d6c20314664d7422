/**
 * From a password to the two account keys (zero-knowledge login and vault).
 *
 *   master      = argon2id(NFC(password), salt, m, t, p) → 32 bytes   (params from prelogin)
 *   loginSecret = base64(HKDF-SHA256(master, info = "lockbox/v1/login-secret", 32))  → sent as `password`
 *   vaultKey    = HKDF-SHA256(master, info = "lockbox/v1/vault-key", 32)            → never leaves the client
 *
 * HKDF with distinct labels makes the two outputs independent: the server
 * (which sees the login secret, and stores only its own argon2id hash of it)
 * learns nothing about the vault key. argon2id runs through hash-wasm: the same
 * WASM build in Node and browsers, ~4× faster than a pure-JS argon2 at 64 MiB
 * (see docs/SECURITY.md for the measurement).
 */
import type { TClientKdf } from '@lockbox/contracts';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import { fromBase64, toBase64, utf8 } from './bytes';
import { type RandomSource, systemRandom } from './random';

export const LOGIN_SECRET_LABEL = 'lockbox/v1/login-secret';
export const VAULT_KEY_LABEL = 'lockbox/v1/vault-key';

/** What the SDK registers new accounts with: OWASP's "64 MiB, 3 passes, 1 lane" argon2id profile. */
export const DEFAULT_KDF = { memory_kib: 65_536, iterations: 3, parallelism: 1 } as const;

export const newClientKdf = (random: RandomSource = systemRandom): TClientKdf => ({
  algorithm: 'argon2id',
  salt: toBase64(random(16)),
  ...DEFAULT_KDF,
});

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

export const deriveAccountKeys = async (
  password: string,
  kdf: TClientKdf,
  argon: Argon2id = wasmArgon2id,
): Promise<AccountKeys> => {
  if (kdf.algorithm !== 'argon2id') throw new Error(`unsupported KDF ${String(kdf.algorithm)}`);
  const master = await argon(utf8(password.normalize('NFC')), fromBase64(kdf.salt, 16), kdf);
  try {
    return {
      loginSecret: toBase64(hkdf(sha256, master, undefined, utf8(LOGIN_SECRET_LABEL), 32)),
      vaultKey: hkdf(sha256, master, undefined, utf8(VAULT_KEY_LABEL), 32),
    };
  } finally {
    master.fill(0);
  }
};
