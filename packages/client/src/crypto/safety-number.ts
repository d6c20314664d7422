/**
 * Safety numbers, as Signal computes them (libsignal's NumericFingerprintGenerator,
 * "version 0"): each side's fingerprint is 5200 rounds of
 *   h₀ = u16 version ‖ identity key ‖ user id,  hᵢ₊₁ = SHA-512(hᵢ ‖ identity key)
 * whose first 30 bytes become six 5-digit groups (each 5-byte chunk mod 100000).
 * The two 30-digit halves are ordered by value and joined: 60 digits, shown as
 * 12 groups of 5, identical on both phones whoever computes it.
 *
 * The identity key is the Ed25519 key; it signs the bundle that carries the
 * X-Wing key, so vouching for it vouches for the encryption key too.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './bytes';

export const FINGERPRINT_ITERATIONS = 5200;
const FINGERPRINT_VERSION = Uint8Array.of(0, 0);

const fingerprintDigits = (userId: string, identityKey: Uint8Array): string => {
  let hash = concatBytes(FINGERPRINT_VERSION, identityKey, utf8(userId));
  for (let i = 0; i < FINGERPRINT_ITERATIONS; i++) hash = sha512(concatBytes(hash, identityKey));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + (hash[chunk * 5 + i] as number);
    digits += String(value % 100_000).padStart(5, '0');
  }
  return digits;
};

export interface SafetyNumberParty {
  userId: string;
  identityKey: Uint8Array;
}

/** 60 digits in 12 groups of five, the same for (a, b) and (b, a). */
export const safetyNumber = (a: SafetyNumberParty, b: SafetyNumberParty): string[] => {
  const [first, second] = [
    fingerprintDigits(a.userId, a.identityKey),
    fingerprintDigits(b.userId, b.identityKey),
  ].sort();
  const all = `${first}${second}`;
  return Array.from({ length: 12 }, (_, i) => all.slice(i * 5, i * 5 + 5));
};

export const formatSafetyNumber = (groups: string[]): string =>
  [groups.slice(0, 4), groups.slice(4, 8), groups.slice(8, 12)].map((row) => row.join(' ')).join('\n');
