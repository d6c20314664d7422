/**
 * The key vault: this account's identity seeds, encrypted under the vault key,
 * stored by the server as an opaque base64 string (`PUT /auth/vault`).
 *
 *   vault = 0x01 ‖ nonce (24) ‖ XChaCha20-Poly1305(vaultKey, nonce,
 *             aad = "lockbox/vault/v1" ‖ 0x00 ‖ user id).encrypt(JSON)
 *   JSON  = { version: 1, identities: [{ signing_seed, kem_seed, created_at }, …],   (current first)
 *             pins: [ … ] }                                                     (pinned contact keys)
 *
 * The user id in the associated data stops the server from handing one
 * account's vault to another. Older identities stay in the vault so history
 * encrypted to them still opens after a key reset. The pinned contact keys
 * travel in the vault too, so a new device keeps trust-on-first-use state
 * instead of starting it again (the session layer defines and checks them;
 * here they are opaque records).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { z } from 'zod';
import { concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from './bytes';
import { CryptoError } from './errors';
import type { IdentitySecrets } from './identity';
import { type RandomSource, systemRandom } from './random';

export const VAULT_VERSION = 1;
export const VAULT_AAD_LABEL = 'lockbox/vault/v1';

const ZVaultContents = z.object({
  version: z.literal(1),
  identities: z
    .array(z.object({ signing_seed: z.string(), kem_seed: z.string(), created_at: z.string() }))
    .min(1),
  pins: z.array(z.record(z.string(), z.unknown())).default([]),
});

export interface VaultContents {
  identities: IdentitySecrets[];
  pins: Record<string, unknown>[];
}

const aad = (userId: string) => concatBytes(utf8(VAULT_AAD_LABEL), Uint8Array.of(0), utf8(userId));

export const sealVault = (
  userId: string,
  vaultKey: Uint8Array,
  identities: IdentitySecrets[],
  random: RandomSource = systemRandom,
  pins: Record<string, unknown>[] = [],
): string => {
  const json = JSON.stringify({
    version: 1,
    identities: identities.map((i) => ({
      signing_seed: toBase64(i.signingSeed),
      kem_seed: toBase64(i.kemSeed),
      created_at: i.createdAt,
    })),
    pins,
  });
  const nonce = random(24);
  const sealed = xchacha20poly1305(vaultKey, nonce, aad(userId)).encrypt(utf8(json));
  return toBase64(concatBytes(Uint8Array.of(VAULT_VERSION), nonce, sealed));
};

/** Throws `decrypt_failed` for a wrong key (in practice: a wrong password) or a tampered vault. */
export const openVault = (userId: string, vaultKey: Uint8Array, vault: string): IdentitySecrets[] =>
  openVaultContents(userId, vaultKey, vault).identities;

export const openVaultContents = (userId: string, vaultKey: Uint8Array, vault: string): VaultContents => {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(vault);
  } catch {
    throw new CryptoError('malformed', 'vault is not base64');
  }
  if (bytes[0] !== VAULT_VERSION)
    throw new CryptoError('unsupported_version', `vault version ${bytes[0]} is not supported`);
  if (bytes.length < 1 + 24 + 16) throw new CryptoError('malformed', 'vault is truncated');
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(vaultKey, bytes.subarray(1, 25), aad(userId)).decrypt(bytes.subarray(25));
  } catch {
    throw new CryptoError('decrypt_failed', 'the vault does not open with this password');
  }
  const parsed = ZVaultContents.safeParse(JSON.parse(fromUtf8(plaintext)));
  if (!parsed.success) throw new CryptoError('malformed', 'vault contents are not understood');
  return {
    identities: parsed.data.identities.map((i) => ({
      signingSeed: fromBase64(i.signing_seed, 32),
      kemSeed: fromBase64(i.kem_seed, 32),
      createdAt: i.created_at,
    })),
    pins: parsed.data.pins,
  };
};
