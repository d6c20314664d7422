/** The argon2id salt bound to the account (KDF version 2) and the legacy one it replaces. */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { boundSalt, deriveAccountKeys, kdfSalt, newClientKdf, toBase64 } from '../../src/crypto';
import { seededRandom } from '../helpers/seeded-random';

// Quick parameters: these tests are about the salt, not the cost.
const bound = { ...newClientKdf(seededRandom('salt')), memory_kib: 19_456, iterations: 2 };
const legacy = { ...bound, version: 1 as const };
const serverSalt = new Uint8Array(16).fill(0xab);

describe('salt bound to the username', () => {
  it('is SHA-256("lockbox/v1/salt" ‖ 0x00 ‖ u8 len ‖ lowercase name ‖ server salt)', () => {
    const input = new Uint8Array([
      ...new TextEncoder().encode('lockbox/v1/salt'),
      0,
      5,
      ...new TextEncoder().encode('alice'),
      ...serverSalt,
    ]);
    expect(toBase64(boundSalt('Alice', serverSalt))).toBe(toBase64(sha256(input)));
  });

  it('differs per account for the same server salt, and ignores case like the server does', () => {
    expect(toBase64(boundSalt('alice', serverSalt))).not.toBe(toBase64(boundSalt('bob', serverSalt)));
    expect(toBase64(boundSalt('ALICE', serverSalt))).toBe(toBase64(boundSalt('alice', serverSalt)));
    // The length prefix keeps "ab" + salt and "a" + ("b" ‖ salt…) apart.
    expect(toBase64(boundSalt('ab', serverSalt))).not.toBe(toBase64(boundSalt('a', serverSalt)));
  });

  it('version 1 is the server salt as is; version 2 needs the username', () => {
    expect(kdfSalt(undefined, legacy)).toHaveLength(16);
    expect(() => kdfSalt(undefined, bound)).toThrow(/username/);
    expect(kdfSalt('alice', bound)).toHaveLength(32);
  });

  it('two accounts given the same server salt and password still derive different keys', async () => {
    const password = 'the same password';
    const alice = await deriveAccountKeys(password, bound, undefined, 'alice');
    const bob = await deriveAccountKeys(password, bound, undefined, 'bob');
    expect(alice.loginSecret).not.toBe(bob.loginSecret);
    expect(toBase64(alice.vaultKey)).not.toBe(toBase64(bob.vaultKey));
    // Under the legacy scheme the server could make them equal: the reason for binding.
    const legacyAlice = await deriveAccountKeys(password, legacy, undefined, 'alice');
    const legacyBob = await deriveAccountKeys(password, legacy, undefined, 'bob');
    expect(legacyAlice.loginSecret).toBe(legacyBob.loginSecret);
  });
});
