/**
 * A reproducible RandomSource for known-answer vectors and tests: ChaCha20
 * keystream under SHA-256(seed label), a fresh nonce per call. Never used
 * outside tests.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../../src/crypto';

export const seededRandom = (label: string): RandomSource => {
  const key = sha256(new TextEncoder().encode(label));
  let counter = 0;
  return (length) => {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, counter++);
    return chacha20(key, nonce, new Uint8Array(length));
  };
};
