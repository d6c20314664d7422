/**
 * The legacy v1 vault format (no counter), as the SDK wrote it before vault
 * v2: what accounts made earlier still hold, and what a hostile server can
 * replay to try a downgrade. Tests only; the SDK reads v1 but never writes it.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  concatBytes,
  type IdentitySecrets,
  type RandomSource,
  systemRandom,
  toBase64,
} from '../../src/crypto';

const utf8 = (s: string) => new TextEncoder().encode(s);

export const sealVaultV1 = (
  userId: string,
  vaultKey: Uint8Array,
  identities: IdentitySecrets[],
  pins: Record<string, unknown>[] = [],
  random: RandomSource = systemRandom,
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
  const aad = concatBytes(utf8('lockbox/vault/v1'), Uint8Array.of(0), utf8(userId));
  return toBase64(
    concatBytes(Uint8Array.of(1), nonce, xchacha20poly1305(vaultKey, nonce, aad).encrypt(utf8(json))),
  );
};
