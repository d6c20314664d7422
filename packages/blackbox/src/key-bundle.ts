/**
 * A public key bundle as the SDK publishes it: Ed25519 identity key signing the
 * bundle's bytes for one user id and username (contracts' `keyBundleSigningBytes`), made
 * here with node:crypto so the suite needs no client SDK.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { keyBundleSigningBytes, type TKeyBundle } from '@lockbox/contracts';

const b64 = (bytes: Buffer) => bytes.toString('base64');

/** A version 2 bundle whose signature verifies for that user id and username (and for no other account). */
export const signedKeyBundle = (signedFor: { id: string; username: string }): TKeyBundle => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const unsigned = {
    version: 2 as const,
    username: signedFor.username.toLowerCase(),
    identity_key: b64(raw),
    x25519_key: b64(randomBytes(32)),
    mlkem768_key: b64(randomBytes(1184)),
    created_at: new Date().toISOString(),
  };
  const signature = sign(null, keyBundleSigningBytes(signedFor.id, unsigned), privateKey);
  return { ...unsigned, signature: b64(signature) };
};
