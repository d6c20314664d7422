import { describe, expect, it } from 'vitest';
import { formatSafetyNumber, safetyNumber } from '../../src/crypto';
import { testUser } from '../helpers/users';

const alice = testUser('alice');
const bob = testUser('bob');
const party = (u: ReturnType<typeof testUser>) => ({ userId: u.userId, identityKey: u.identity.identityKey });

describe('safety number', () => {
  it('is 12 groups of 5 digits, the same from both sides', () => {
    const ab = safetyNumber(party(alice), party(bob));
    expect(ab).toHaveLength(12);
    for (const g of ab) expect(g).toMatch(/^\d{5}$/);
    expect(safetyNumber(party(bob), party(alice))).toEqual(ab);
  });

  it('changes when either identity key changes', () => {
    const ab = safetyNumber(party(alice), party(bob));
    const newBob = testUser('bob', 'bob-reinstalled');
    expect(safetyNumber(party(alice), party(newBob))).not.toEqual(ab);
  });

  it("reproduces libsignal's published NumericFingerprint test vector (5200 iterations, version 0)", () => {
    // libsignal test vectors: identity keys as serialized there (0x05 ‖ Curve25519), phone numbers as ids.
    const hex = (h: string) => Uint8Array.from(h.match(/../g) as string[], (b) => Number.parseInt(b, 16));
    const signalAlice = {
      userId: '+14152222222',
      identityKey: hex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868'),
    };
    const signalBob = {
      userId: '+14153333333',
      identityKey: hex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b'),
    };
    expect(safetyNumber(signalAlice, signalBob).join('')).toBe(
      '300354477692869396892869876765458257569162576843440918079131',
    );
  });

  it('is stable (known answer)', () => {
    expect(formatSafetyNumber(safetyNumber(party(alice), party(bob)))).toMatchInlineSnapshot(`
      "93275 53575 12330 22992
      93745 31684 99253 49466
      64081 03810 61291 55187"
    `);
  });
});
