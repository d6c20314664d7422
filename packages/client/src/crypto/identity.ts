/**
 * A LockBox identity: an Ed25519 signing key and an X-Wing (ML-KEM-768 +
 * X25519) encryption key, both generated on the client from 32-byte seeds.
 * The public half is published as a bundle self-signed by the Ed25519 key over
 * `keyBundleSigningBytes` (shared with the auth service, so both agree to the byte).
 */
import {
  canonicalUsername,
  keyBundleHeaderProblem,
  keyBundleSigningBytes,
  type TKeyBundle,
  type TKeyBundleV2,
} from '@lockbox/contracts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_kem768_x25519 as xwing } from '@noble/post-quantum/hybrid.js';
import { bytesEqual, concatBytes, fromBase64, toBase64 } from './bytes';
import { CryptoError } from './errors';
import { type RandomSource, systemRandom } from './random';

export const SEED_LENGTH = 32;
export const IDENTITY_KEY_LENGTH = 32;
export const MLKEM768_PUBLIC_LENGTH = 1184;
export const X25519_PUBLIC_LENGTH = 32;
/** X-Wing public key = ML-KEM-768 encapsulation key ‖ X25519 public key (draft-connolly-cfrg-xwing-kem). */
export const KEM_PUBLIC_LENGTH = MLKEM768_PUBLIC_LENGTH + X25519_PUBLIC_LENGTH;

/** What the vault stores: two seeds, from which every key is re-derived. */
export interface IdentitySecrets {
  signingSeed: Uint8Array;
  kemSeed: Uint8Array;
  createdAt: string;
}

/** The public half other users pin and encrypt to. */
export interface PublicIdentity {
  /** Ed25519 public key: what TOFU pins and safety numbers digest. */
  identityKey: Uint8Array;
  /** X-Wing public key (1216 bytes). */
  kemPublicKey: Uint8Array;
}

export interface Identity extends PublicIdentity {
  secrets: IdentitySecrets;
}

export const identityFromSecrets = (secrets: IdentitySecrets): Identity => {
  if (secrets.signingSeed.length !== SEED_LENGTH || secrets.kemSeed.length !== SEED_LENGTH)
    throw new CryptoError('malformed', 'identity seeds must be 32 bytes');
  return {
    secrets,
    identityKey: ed25519.getPublicKey(secrets.signingSeed),
    kemPublicKey: xwing.keygen(secrets.kemSeed).publicKey,
  };
};

export const generateIdentity = (random: RandomSource = systemRandom, now: Date = new Date()): Identity =>
  identityFromSecrets({
    signingSeed: random(SEED_LENGTH),
    kemSeed: random(SEED_LENGTH),
    createdAt: now.toISOString(),
  });

/**
 * The self-signed bundle `POST /auth/keys` takes: version 2, which signs the
 * owner's canonical username beside the user id. Ed25519 signing is deterministic.
 */
export const signKeyBundle = (userId: string, username: string, identity: Identity): TKeyBundleV2 => {
  const unsigned = {
    version: 2 as const,
    username: canonicalUsername(username),
    identity_key: toBase64(identity.identityKey),
    mlkem768_key: toBase64(identity.kemPublicKey.subarray(0, MLKEM768_PUBLIC_LENGTH)),
    x25519_key: toBase64(identity.kemPublicKey.subarray(MLKEM768_PUBLIC_LENGTH)),
    created_at: identity.secrets.createdAt,
  };
  const signature = ed25519.sign(keyBundleSigningBytes(userId, unsigned), identity.secrets.signingSeed);
  return { ...unsigned, signature: toBase64(signature) };
};

/** A directory bundle whose self-signature verified, with what it vouches for. */
export interface VerifiedBundle extends PublicIdentity {
  version: 1 | 2;
  /** The canonical username the identity key signed (version 2); undefined for a legacy version 1 bundle. */
  signedUsername: string | undefined;
}

/**
 * Checks a bundle fetched from the directory, in this order: version and
 * created_at (before any signature: an unknown version may sign other bytes),
 * layout, the self-signature for this user id (so the server cannot move a
 * bundle between accounts), the signed username when the caller knows whom it
 * expects (version 2: so the server cannot list one account's keys under
 * another's name), and, when a key is pinned, that it is the pinned one.
 */
export const verifyKeyBundle = (
  userId: string,
  bundle: TKeyBundle,
  pinned?: Uint8Array,
  expectedUsername?: string,
): VerifiedBundle => {
  const headerProblem = keyBundleHeaderProblem(bundle);
  if (headerProblem) throw new CryptoError('bad_bundle', `key bundle of ${userId}: ${headerProblem}`);
  let identityKey: Uint8Array;
  let kemPublicKey: Uint8Array;
  let signature: Uint8Array;
  try {
    identityKey = fromBase64(bundle.identity_key, IDENTITY_KEY_LENGTH);
    kemPublicKey = concatBytes(
      fromBase64(bundle.mlkem768_key, MLKEM768_PUBLIC_LENGTH),
      fromBase64(bundle.x25519_key, X25519_PUBLIC_LENGTH),
    );
    signature = fromBase64(bundle.signature, 64);
  } catch (err) {
    throw new CryptoError('bad_bundle', `key bundle is malformed: ${(err as Error).message}`);
  }
  const common = {
    identity_key: bundle.identity_key,
    x25519_key: bundle.x25519_key,
    mlkem768_key: bundle.mlkem768_key,
    created_at: bundle.created_at,
  };
  if (bundle.version === 2 && typeof bundle.username !== 'string')
    throw new CryptoError('bad_bundle', `key bundle of ${userId} is version 2 without a username`);
  // Only the fields this version signs, picked by name: extra fields a server adds are never signed over.
  const bytes = keyBundleSigningBytes(
    userId,
    bundle.version === 2 ? { version: 2, username: bundle.username, ...common } : { version: 1, ...common },
  );
  let ok = false;
  try {
    ok = ed25519.verify(signature, bytes, identityKey, { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) throw new CryptoError('bad_bundle', `key bundle of ${userId} is not signed by its identity key`);
  const signedUsername = bundle.version === 2 ? bundle.username : undefined;
  if (
    expectedUsername !== undefined &&
    signedUsername !== undefined &&
    signedUsername !== canonicalUsername(expectedUsername)
  )
    throw new CryptoError(
      'identity_mismatch',
      `the server says ${userId} is "${expectedUsername}", but that account's key says it belongs to "${signedUsername}"`,
    );
  if (pinned && !bytesEqual(pinned, identityKey))
    throw new CryptoError('key_changed', `the identity key of ${userId} changed since it was pinned`);
  return { identityKey, kemPublicKey, version: bundle.version, signedUsername };
};
