/**
 * Vault format v2: the write counter travels in the clear and in the AEAD's
 * associated data, so the server can read it but not change it; v1 vaults
 * still open (as counter 0, format 1).
 */
import { describe, expect, it } from 'vitest';
import { type CryptoError, fromBase64, openVaultContents, sealVault, toBase64 } from '../../src/crypto';
import { seededRandom } from '../helpers/seeded-random';
import { testUser } from '../helpers/users';
import { sealVaultV1 } from '../helpers/vault-v1';

const alice = testUser('alice');
const key = new Uint8Array(32).fill(7);
const identities = [alice.identity.secrets];

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return (err as CryptoError).code;
  }
};

describe('vault v2', () => {
  it('starts with 0x02 and the counter as a big-endian u64, and opens to that counter', () => {
    const sealed = sealVault(alice.userId, key, { identities, counter: 258 }, seededRandom('v'));
    const bytes = fromBase64(sealed);
    expect(bytes[0]).toBe(2);
    expect([...bytes.subarray(1, 9)]).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    expect(openVaultContents(alice.userId, key, sealed)).toMatchObject({
      counter: 258,
      format: 2,
      identities,
    });
  });

  it('the counter is authenticated: a server that edits it in the header breaks the vault', () => {
    const bytes = fromBase64(sealVault(alice.userId, key, { identities, counter: 2 }));
    for (const value of [1, 3, 200]) {
      const forged = bytes.slice();
      forged[8] = value;
      expect(code(() => openVaultContents(alice.userId, key, toBase64(forged)))).toBe('decrypt_failed');
    }
  });

  it('a v1 body under a v2 header (or the reverse) does not open', () => {
    const v1 = fromBase64(sealVaultV1(alice.userId, key, identities));
    const asV2 = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 1, ...v1.subarray(1));
    expect(code(() => openVaultContents(alice.userId, key, toBase64(asV2)))).toBe('decrypt_failed');
    const v2 = fromBase64(sealVault(alice.userId, key, { identities, counter: 1 }));
    const asV1 = Uint8Array.of(1, ...v2.subarray(9));
    expect(code(() => openVaultContents(alice.userId, key, toBase64(asV1)))).toBe('decrypt_failed');
  });

  it('still opens a v1 vault, as counter 0 and format 1', () => {
    const pins = [{ user_id: 'usr_bob', identity_key: 'AAAA' }];
    expect(openVaultContents(alice.userId, key, sealVaultV1(alice.userId, key, identities, pins))).toEqual({
      identities,
      pins,
      counter: 0,
      format: 1,
    });
  });

  it('refuses a counter of 0 or a truncated vault, and seals only positive safe counters', () => {
    const bytes = fromBase64(sealVault(alice.userId, key, { identities, counter: 1 }));
    const zero = bytes.slice();
    zero[8] = 0;
    expect(code(() => openVaultContents(alice.userId, key, toBase64(zero)))).toBe('malformed');
    expect(code(() => openVaultContents(alice.userId, key, toBase64(bytes.subarray(0, 40))))).toBe(
      'malformed',
    );
    expect(code(() => sealVault(alice.userId, key, { identities, counter: 0 }))).toBe('malformed');
    expect(code(() => sealVault(alice.userId, key, { identities, counter: 2 ** 53 }))).toBe('malformed');
  });
});
