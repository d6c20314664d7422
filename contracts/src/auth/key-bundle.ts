/**
 * The exact bytes an identity key signs to vouch for its bundle. Shared by the
 * SDK (which signs) and the auth service (which checks), so both agree to the
 * byte. The user id is part of it: a bundle cannot be replayed under another account.
 */
import type { TKeyBundle } from './schemas';

export const KEY_BUNDLE_CONTEXT = 'lockbox/key-bundle/v1';

export const keyBundleSigningBytes = (userId: string, bundle: Omit<TKeyBundle, 'signature'>): Uint8Array =>
  new TextEncoder().encode(
    [
      KEY_BUNDLE_CONTEXT,
      String(bundle.version),
      userId,
      bundle.identity_key,
      bundle.x25519_key,
      bundle.mlkem768_key,
      bundle.created_at,
    ].join('\n'),
  );
