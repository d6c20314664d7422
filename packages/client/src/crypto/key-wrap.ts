/**
 * Wrapping a message's content key for one reader, in the shape of age's
 * recipient stanzas (a fresh KEM encapsulation per reader, HKDF to a one-time
 * wrap key, ChaCha20-Poly1305 with a zero nonce) — with X-Wing as the KEM.
 *
 *   (ct, ss) = X-Wing.Encaps(reader's public key, 64 random bytes)
 *   kek      = HKDF-SHA256(ikm = ss, salt = ∅,
 *                          info = "lockbox/envelope/v1/content-key-wrap" ‖ 0x00 ‖ role ‖ SHA-256(header), 32)
 *   wrapped  = XChaCha20-Poly1305(kek, nonce = 0²⁴, aad = header).encrypt(content key)
 *
 * The header holds version, sender id, recipient id, client_msg_id, time and
 * both identity keys, so a wrap is bound to exactly one message and role. The
 * zero nonce is safe because every kek is used once: each wrap has its own
 * encapsulation. X-Wing's shared secret already depends on the reader's public
 * key and the ciphertext, so neither needs to be hashed in again.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768_x25519 as xwing } from '@noble/post-quantum/hybrid.js';
import { concatBytes, utf8 } from './bytes';
import { CryptoError } from './errors';
import type { RandomSource } from './random';

export const WRAP_LABEL = 'lockbox/envelope/v1/content-key-wrap';
export const CONTENT_KEY_LENGTH = 32;
export const KEM_CIPHERTEXT_LENGTH = 1120;
export const WRAPPED_KEY_LENGTH = CONTENT_KEY_LENGTH + 16;
export const ENCAPS_RANDOM_LENGTH = 64;

/** Who a wrap is for. The sender's own copy lets its other logins read sent history. */
export const ROLE = { recipient: 1, sender: 2 } as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];

export interface KeyWrap {
  role: Role;
  kemCiphertext: Uint8Array;
  wrappedKey: Uint8Array;
}

const ZERO_NONCE = new Uint8Array(24);

const wrapKey = (sharedSecret: Uint8Array, role: Role, header: Uint8Array): Uint8Array =>
  hkdf(
    sha256,
    sharedSecret,
    undefined,
    concatBytes(utf8(WRAP_LABEL), Uint8Array.of(0, role), sha256(header)),
    32,
  );

export const wrapContentKey = (
  contentKey: Uint8Array,
  readerKemPublicKey: Uint8Array,
  role: Role,
  header: Uint8Array,
  random: RandomSource,
): KeyWrap => {
  const { cipherText, sharedSecret } = xwing.encapsulate(readerKemPublicKey, random(ENCAPS_RANDOM_LENGTH));
  const kek = wrapKey(sharedSecret, role, header);
  const wrappedKey = xchacha20poly1305(kek, ZERO_NONCE, header).encrypt(contentKey);
  kek.fill(0);
  sharedSecret.fill(0);
  return { role, kemCiphertext: cipherText, wrappedKey };
};

export const unwrapContentKey = (
  wrap: KeyWrap,
  readerKemSeed: Uint8Array,
  header: Uint8Array,
): Uint8Array => {
  // ML-KEM decapsulation never throws on a bad ciphertext (implicit rejection): it yields a
  // pseudorandom secret, and the AEAD below is what notices.
  const sharedSecret = xwing.decapsulate(wrap.kemCiphertext, readerKemSeed);
  const kek = wrapKey(sharedSecret, wrap.role, header);
  try {
    return xchacha20poly1305(kek, ZERO_NONCE, header).decrypt(wrap.wrappedKey);
  } catch {
    throw new CryptoError('decrypt_failed', 'the content key does not unwrap');
  } finally {
    kek.fill(0);
    sharedSecret.fill(0);
  }
};
