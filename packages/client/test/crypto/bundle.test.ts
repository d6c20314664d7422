import { keyBundleSigningBytes, ZKeyBundleSchema } from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { type CryptoError, fromBase64, signKeyBundle, verifyKeyBundle } from '../../src/crypto';
import { testUser } from '../helpers/users';

const alice = testUser('alice');
const mallory = testUser('mallory');

const errorCode = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as CryptoError).code;
  }
  return 'no error';
};

describe('key bundle', () => {
  const bundle = signKeyBundle(alice.userId, alice.identity);

  it('matches the contract schema the auth service validates', () => {
    expect(ZKeyBundleSchema.parse(bundle)).toEqual(bundle);
  });

  it('is signed over keyBundleSigningBytes, exactly as the auth service checks it', () => {
    const { signature, ...unsigned } = bundle;
    expect(
      ed25519.verify(
        fromBase64(signature),
        keyBundleSigningBytes(alice.userId, unsigned),
        fromBase64(bundle.identity_key),
      ),
    ).toBe(true);
  });

  it('splits the X-Wing public key into its ML-KEM-768 and X25519 halves', () => {
    const kem = alice.identity.kemPublicKey;
    expect(fromBase64(bundle.mlkem768_key)).toEqual(kem.subarray(0, 1184));
    expect(fromBase64(bundle.x25519_key)).toEqual(kem.subarray(1184));
    expect(verifyKeyBundle(alice.userId, bundle).kemPublicKey).toEqual(kem);
  });

  it('does not verify under another user id (no moving bundles between accounts)', () => {
    expect(errorCode(() => verifyKeyBundle(mallory.userId, bundle))).toBe('bad_bundle');
  });

  it('rejects a bundle whose encryption key was swapped', () => {
    const swapped = { ...bundle, x25519_key: signKeyBundle(mallory.userId, mallory.identity).x25519_key };
    expect(errorCode(() => verifyKeyBundle(alice.userId, swapped))).toBe('bad_bundle');
  });

  it('reports a different identity key than the pinned one as key_changed', () => {
    const other = signKeyBundle(alice.userId, mallory.identity);
    expect(errorCode(() => verifyKeyBundle(alice.userId, other, alice.identity.identityKey))).toBe(
      'key_changed',
    );
    expect(verifyKeyBundle(alice.userId, bundle, alice.identity.identityKey).identityKey).toEqual(
      alice.identity.identityKey,
    );
  });
});
