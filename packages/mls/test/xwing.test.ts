/**
 * No RFC 9420 vector covers X-Wing (it has no IANA codepoint), so the KEM LockBox's suite runs on
 * (@hpke/hybridkem-x-wing, loaded by ts-mls) is checked against an independent X-Wing:
 * @noble/post-quantum's ml_kem768_x25519, the library v1 already uses for ML-KEM. Same seed, same
 * public key; each side decapsulates what the other encapsulated to the same shared secret. A
 * disagreement means the two follow different X-Wing drafts, or one of them is wrong.
 */
import { XWing } from '@hpke/hybridkem-x-wing';
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { describe, expect, it } from 'vitest';
import { loadCiphersuite } from '../src';

const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

describe('X-Wing: @hpke/hybridkem-x-wing agrees with @noble/post-quantum', () => {
  it('same seed → same public key, and shared secrets agree in both directions', async () => {
    const hpke = new XWing();
    for (let i = 0; i < 4; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      const noble = ml_kem768_x25519.keygen(seed);
      const pair = await hpke.generateKeyPairDerand(seed);
      expect(hex(await hpke.serializePublicKey(pair.publicKey))).toBe(hex(noble.publicKey));

      const toHpke = ml_kem768_x25519.encapsulate(noble.publicKey);
      const opened = await hpke.decap({ enc: toHpke.cipherText, recipientKey: pair.privateKey });
      expect(hex(opened)).toBe(hex(toHpke.sharedSecret));

      const toNoble = await hpke.encap({ recipientPublicKey: pair.publicKey });
      expect(hex(ml_kem768_x25519.decapsulate(new Uint8Array(toNoble.enc), seed))).toBe(
        hex(toNoble.sharedSecret),
      );
    }
  });

  it('is the KEM the LockBox suite actually runs: a suite HPKE seal opens with the noble-derived key', async () => {
    const cs = await loadCiphersuite();
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const info = new TextEncoder().encode('LockBox X-Wing check');
    const sealed = await cs.hpke.seal(
      await cs.hpke.importPublicKey(ml_kem768_x25519.keygen(seed).publicKey),
      new TextEncoder().encode('agreed'),
      info,
    );
    const opened = await cs.hpke.open(await cs.hpke.importPrivateKey(seed), sealed.enc, sealed.ct, info);
    expect(new TextDecoder().decode(opened)).toBe('agreed');
  });
});
