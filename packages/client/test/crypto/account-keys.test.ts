import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { describe, expect, it } from 'vitest';
import {
  type CryptoError,
  deriveAccountKeys,
  fromBase64,
  newClientKdf,
  openVault,
  openVaultContents,
  sealVault,
  toBase64,
  wasmArgon2id,
} from '../../src/crypto';
import { seededRandom } from '../helpers/seeded-random';
import { testUser } from '../helpers/users';

// The smallest parameters the contract accepts, so the suite stays quick; production uses 64 MiB.
// Version 1: the server salt as is (the derivation of accounts made before issue 11).
const cheapKdf = {
  ...newClientKdf(seededRandom('kdf')),
  memory_kib: 19_456,
  iterations: 2,
  version: 1 as const,
};

describe('account keys', () => {
  it('hash-wasm argon2id agrees with an independent implementation (noble)', async () => {
    const salt = fromBase64(cheapKdf.salt);
    const password = new TextEncoder().encode('correct horse battery staple');
    const wasm = await wasmArgon2id(password, salt, cheapKdf);
    const noble = nobleArgon2id(password, salt, { t: 2, m: 19_456, p: 1, dkLen: 32 });
    expect(toBase64(wasm)).toBe(toBase64(noble));
  });

  it('derives a login secret and a vault key that are deterministic and independent', async () => {
    const a = await deriveAccountKeys('correct horse battery staple', cheapKdf);
    const b = await deriveAccountKeys('correct horse battery staple', cheapKdf);
    expect(a.loginSecret).toBe(b.loginSecret);
    expect(a.vaultKey).toEqual(b.vaultKey);
    expect(fromBase64(a.loginSecret)).toHaveLength(32);
    expect(toBase64(a.vaultKey)).not.toBe(a.loginSecret);
    const other = await deriveAccountKeys('correct horse battery stapler', cheapKdf);
    expect(other.loginSecret).not.toBe(a.loginSecret);
  });

  it('the login secret never contains the password', async () => {
    const { loginSecret } = await deriveAccountKeys('hunter2hunter2', cheapKdf);
    expect(loginSecret).not.toContain('hunter2');
  });

  it('registers new accounts with a fresh 16-byte salt, 64 MiB / 3 passes / 1 lane, bound (version 2)', () => {
    const a = newClientKdf();
    const b = newClientKdf();
    expect(a.salt).not.toBe(b.salt);
    expect(fromBase64(a.salt)).toHaveLength(16);
    expect(a).toMatchObject({
      algorithm: 'argon2id',
      memory_kib: 65_536,
      iterations: 3,
      parallelism: 1,
      version: 2,
    });
  });
});

describe('vault', () => {
  const alice = testUser('alice');
  const key = new Uint8Array(32).fill(7);

  it('round-trips the identity seeds', () => {
    const sealed = sealVault(alice.userId, key, { identities: [alice.identity.secrets], counter: 1 });
    expect(openVault(alice.userId, key, sealed)).toEqual([alice.identity.secrets]);
  });

  it('carries pinned contact keys alongside the identities', () => {
    const pins = [{ user_id: 'usr_bob', identity_key: 'AAAA', verified: true }];
    const sealed = sealVault(alice.userId, key, { identities: [alice.identity.secrets], pins, counter: 3 });
    expect(openVaultContents(alice.userId, key, sealed)).toEqual({
      identities: [alice.identity.secrets],
      pins,
      counter: 3,
      format: 2,
    });
  });

  it('does not open with another key (wrong password) or for another account', () => {
    const sealed = sealVault(alice.userId, key, { identities: [alice.identity.secrets], counter: 1 });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as CryptoError).code;
      }
    };
    expect(code(() => openVault(alice.userId, new Uint8Array(32).fill(8), sealed))).toBe('decrypt_failed');
    expect(code(() => openVault('usr_someoneelse00000000000000', key, sealed))).toBe('decrypt_failed');
    const bytes = fromBase64(sealed);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    expect(code(() => openVault(alice.userId, key, toBase64(bytes)))).toBe('decrypt_failed');
  });

  it('holds no seed in the clear', () => {
    const sealed = sealVault(alice.userId, key, { identities: [alice.identity.secrets], counter: 1 });
    expect(sealed).not.toContain(toBase64(alice.identity.secrets.signingSeed).slice(0, 20));
  });
});
