import {
  keyBundleSigningBytes,
  type TKeyBundle,
  type UnsignedKeyBundle,
  ZKeyBundleSchema,
} from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { type CryptoError, fromBase64, signKeyBundle, toBase64, verifyKeyBundle } from '../../src/crypto';
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

/** A bundle re-signed by alice's key after `change` (so only the changed field is "wrong"). */
const resigned = (change: (b: Record<string, unknown>) => Record<string, unknown>) => {
  const { signature: _s, ...unsigned } = signKeyBundle(alice.userId, 'alice', alice.identity);
  const body = change(unsigned) as UnsignedKeyBundle;
  const signature = ed25519.sign(
    keyBundleSigningBytes(alice.userId, body),
    alice.identity.secrets.signingSeed,
  );
  return { ...body, signature: toBase64(signature) } as TKeyBundle;
};

describe('key bundle', () => {
  const bundle = signKeyBundle(alice.userId, 'Alice', alice.identity);

  it('is version 2 and signs the lowercase username; it matches the contract schema', () => {
    expect(bundle).toMatchObject({ version: 2, username: 'alice' });
    expect(ZKeyBundleSchema.parse(bundle)).toEqual(bundle);
  });

  it('is signed over keyBundleSigningBytes, exactly as the auth service checks it', () => {
    const { signature, ...unsigned } = bundle;
    expect(
      ed25519.verify(
        fromBase64(signature),
        keyBundleSigningBytes(alice.userId, unsigned),
        fromBase64(bundle.identity_key),
        { zip215: false },
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

  it('rejects a bundle whose encryption key or username was swapped after signing', () => {
    const swapped = {
      ...bundle,
      x25519_key: signKeyBundle(mallory.userId, 'mallory', mallory.identity).x25519_key,
    };
    expect(errorCode(() => verifyKeyBundle(alice.userId, swapped))).toBe('bad_bundle');
    expect(errorCode(() => verifyKeyBundle(alice.userId, { ...bundle, username: 'bob' }))).toBe('bad_bundle');
  });

  it('refuses a validly signed bundle whose signed username is not the one expected', () => {
    const mallorys = signKeyBundle(mallory.userId, 'mallory', mallory.identity);
    expect(errorCode(() => verifyKeyBundle(mallory.userId, mallorys, undefined, 'alice'))).toBe(
      'identity_mismatch',
    );
    expect(verifyKeyBundle(mallory.userId, mallorys, undefined, 'MALLORY').signedUsername).toBe('mallory');
  });

  it('still reads a legacy version 1 bundle (no signed username to compare)', () => {
    const legacy = resigned(({ username: _u, ...rest }) => ({ ...rest, version: 1 }));
    const verified = verifyKeyBundle(alice.userId, legacy, undefined, 'anyone');
    expect(verified).toMatchObject({ version: 1, signedUsername: undefined });
  });

  it('refuses an unknown version or an absurd created_at before looking at the signature', () => {
    const future = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
    expect(
      errorCode(() =>
        verifyKeyBundle(
          alice.userId,
          resigned((b) => ({ ...b, version: 3 })),
        ),
      ),
    ).toBe('bad_bundle');
    expect(
      errorCode(() =>
        verifyKeyBundle(
          alice.userId,
          resigned((b) => ({ ...b, created_at: future })),
        ),
      ),
    ).toBe('bad_bundle');
    expect(
      errorCode(() =>
        verifyKeyBundle(
          alice.userId,
          resigned((b) => ({ ...b, created_at: 'yesterday' })),
        ),
      ),
    ).toBe('bad_bundle');
    expect(
      errorCode(() =>
        verifyKeyBundle(
          alice.userId,
          resigned((b) => ({ ...b, created_at: '1970-01-01T00:00:00.000Z' })),
        ),
      ),
    ).toBe('bad_bundle');
    // Within a day of skew is fine.
    const soon = new Date(Date.now() + 3600 * 1000).toISOString();
    expect(
      errorCode(() =>
        verifyKeyBundle(
          alice.userId,
          resigned((b) => ({ ...b, created_at: soon })),
        ),
      ),
    ).toBe('no error');
  });

  it('reports a different identity key than the pinned one as key_changed', () => {
    const other = signKeyBundle(alice.userId, 'alice', mallory.identity);
    expect(errorCode(() => verifyKeyBundle(alice.userId, other, alice.identity.identityKey))).toBe(
      'key_changed',
    );
    expect(verifyKeyBundle(alice.userId, bundle, alice.identity.identityKey).identityKey).toEqual(
      alice.identity.identityKey,
    );
  });
});
