/**
 * The key vault: this account's identity seeds and pinned contact keys,
 * encrypted under the vault key, stored by the server as an opaque base64
 * string (`PUT /auth/vault`). Format v2 (docs/SECURITY.md §5 and §9.2):
 *
 *   vault = 0x02 ‖ counter (u64, big-endian) ‖ nonce (24) ‖
 *           XChaCha20-Poly1305(vaultKey, nonce, aad).encrypt(JSON)
 *   aad   = "lockbox/vault/v2" ‖ 0x00 ‖ user id ‖ 0x00 ‖ counter (u64, big-endian)
 *   JSON  = { version: 2, identities: [{ signing_seed, kem_seed, created_at }, …],   (current first)
 *             pins: [ … ] }                                                     (pinned contact keys)
 *
 * The user id in the associated data stops the server from handing one
 * account's vault to another. The counter grows by one on every write; it is
 * in the clear (so it can be read before opening) and in the associated data
 * (so the server cannot change it without the vault failing to open). Devices
 * remember the highest counter they saw and refuse a lower one: that is how an
 * old vault replayed by the server (pin rollback) is caught — the check itself
 * lives in session/vault-freshness.ts.
 *
 * v1 vaults (0x01, no counter, aad "lockbox/vault/v1" ‖ 0x00 ‖ user id) still
 * open, as counter 0; every write produces v2.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { z } from 'zod';
import { concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from './bytes';
import { CryptoError } from './errors';
import type { IdentitySecrets } from './identity';
import { type RandomSource, systemRandom } from './random';

export const VAULT_VERSION = 2;
export const VAULT_AAD_LABEL = 'lockbox/vault/v2';
const VAULT_V1 = 1;
const VAULT_V1_AAD_LABEL = 'lockbox/vault/v1';
const NONCE = 24;
const COUNTER = 8;
const TAG = 16;

const ZVaultContents = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  identities: z
    .array(z.object({ signing_seed: z.string(), kem_seed: z.string(), created_at: z.string() }))
    .min(1),
  pins: z.array(z.record(z.string(), z.unknown())).default([]),
  /** E2E v2 history archive key (v2/archive.ts): absent in vaults written before v2, so optional. */
  archive_key: z.string().optional(),
});

export interface VaultContents {
  identities: IdentitySecrets[];
  pins: Record<string, unknown>[];
  /** The write counter (0 for a v1 vault, which had none). */
  counter: number;
  /** The format the vault was stored in: 1 (legacy, no counter) or 2. */
  format: 1 | 2;
  /** The E2E v2 history archive key (32 bytes), once one was generated. */
  archiveKey?: Uint8Array;
}

export type VaultToSeal = Pick<VaultContents, 'identities' | 'counter'> & {
  pins?: Record<string, unknown>[];
  /** Carried over on every rewrite: a vault sealed without it would lose the account's archive. */
  archiveKey?: Uint8Array;
};

const encodeCounter = (counter: number) => {
  const bytes = new Uint8Array(COUNTER);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(counter));
  return bytes;
};

const aadV2 = (userId: string, counter: Uint8Array) =>
  concatBytes(utf8(VAULT_AAD_LABEL), Uint8Array.of(0), utf8(userId), Uint8Array.of(0), counter);
const aadV1 = (userId: string) => concatBytes(utf8(VAULT_V1_AAD_LABEL), Uint8Array.of(0), utf8(userId));

/** Seals a v2 vault; `counter` must be higher than any counter this account's vault had before. */
export const sealVault = (
  userId: string,
  vaultKey: Uint8Array,
  contents: VaultToSeal,
  random: RandomSource = systemRandom,
): string => {
  if (!Number.isSafeInteger(contents.counter) || contents.counter < 1)
    throw new CryptoError('malformed', 'a vault counter is a positive integer');
  const json = JSON.stringify({
    version: VAULT_VERSION,
    identities: contents.identities.map((i) => ({
      signing_seed: toBase64(i.signingSeed),
      kem_seed: toBase64(i.kemSeed),
      created_at: i.createdAt,
    })),
    pins: contents.pins ?? [],
    ...(contents.archiveKey === undefined ? {} : { archive_key: toBase64(contents.archiveKey) }),
  });
  const counter = encodeCounter(contents.counter);
  const nonce = random(NONCE);
  const sealed = xchacha20poly1305(vaultKey, nonce, aadV2(userId, counter)).encrypt(utf8(json));
  return toBase64(concatBytes(Uint8Array.of(VAULT_VERSION), counter, nonce, sealed));
};

/** Throws `decrypt_failed` for a wrong key (in practice: a wrong password) or a tampered vault. */
export const openVault = (userId: string, vaultKey: Uint8Array, vault: string): IdentitySecrets[] =>
  openVaultContents(userId, vaultKey, vault).identities;

/** Where the ciphertext starts and which associated data it was sealed with, per format. */
const frame = (userId: string, bytes: Uint8Array) => {
  if (bytes[0] === VAULT_V1) {
    if (bytes.length < 1 + NONCE + TAG) throw new CryptoError('malformed', 'vault is truncated');
    return { format: 1 as const, counter: 0, nonceAt: 1, aad: aadV1(userId) };
  }
  if (bytes[0] === VAULT_VERSION) {
    if (bytes.length < 1 + COUNTER + NONCE + TAG) throw new CryptoError('malformed', 'vault is truncated');
    const counterBytes = bytes.slice(1, 1 + COUNTER);
    const counter = new DataView(counterBytes.buffer).getBigUint64(0);
    if (counter < 1n || counter > BigInt(Number.MAX_SAFE_INTEGER))
      throw new CryptoError('malformed', 'vault counter is out of range');
    return {
      format: 2 as const,
      counter: Number(counter),
      nonceAt: 1 + COUNTER,
      aad: aadV2(userId, counterBytes),
    };
  }
  throw new CryptoError('unsupported_version', `vault version ${bytes[0]} is not supported`);
};

export const openVaultContents = (userId: string, vaultKey: Uint8Array, vault: string): VaultContents => {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(vault);
  } catch {
    throw new CryptoError('malformed', 'vault is not base64');
  }
  const { format, counter, nonceAt, aad } = frame(userId, bytes);
  let plaintext: Uint8Array;
  try {
    const nonce = bytes.subarray(nonceAt, nonceAt + NONCE);
    plaintext = xchacha20poly1305(vaultKey, nonce, aad).decrypt(bytes.subarray(nonceAt + NONCE));
  } catch {
    throw new CryptoError('decrypt_failed', 'the vault does not open with this password');
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(plaintext));
  } catch {
    throw new CryptoError('malformed', 'vault contents are not understood');
  }
  const parsed = ZVaultContents.safeParse(json);
  // The format byte is authenticated only through which associated data opened it; the inner version must agree.
  if (!parsed.success || parsed.data.version !== format)
    throw new CryptoError('malformed', 'vault contents are not understood');
  return {
    identities: parsed.data.identities.map((i) => ({
      signingSeed: fromBase64(i.signing_seed, 32),
      kemSeed: fromBase64(i.kem_seed, 32),
      createdAt: i.created_at,
    })),
    pins: parsed.data.pins,
    counter,
    format,
    ...(parsed.data.archive_key === undefined ? {} : { archiveKey: fromBase64(parsed.data.archive_key, 32) }),
  };
};
