/**
 * The exact bytes an identity key signs to vouch for its bundle. Shared by the
 * SDK (which signs) and the auth service (which checks), so both agree to the
 * byte. The user id is part of it: a bundle cannot be replayed under another
 * account. Version 2 adds the owner's canonical username, so the server cannot
 * list one account's keys under another's name either (docs/SECURITY.md §9.2).
 */
import type { TKeyBundle } from './schemas';

export const KEY_BUNDLE_CONTEXT = 'lockbox/key-bundle/v1';
export const KEY_BUNDLE_V2_CONTEXT = 'lockbox/key-bundle/v2';
/** The bundle versions a reader understands; anything else is refused before any signature check. */
export const KEY_BUNDLE_VERSIONS = [1, 2] as const;
/** How far in the future a bundle's created_at may lie (clock skew between devices and server). */
export const KEY_BUNDLE_MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
/** No LockBox bundle was made before this; an earlier created_at is not a real one. */
export const KEY_BUNDLE_EPOCH = '2024-01-01T00:00:00.000Z';

/** Usernames are unique case-insensitively; a bundle signs the lowercase form. */
export const canonicalUsername = (username: string): string => username.toLowerCase();

/** A bundle without its signature (distributes over the versions, so `username` stays reachable). */
export type UnsignedKeyBundle<T = TKeyBundle> = T extends unknown ? Omit<T, 'signature'> : never;

export function keyBundleSigningBytes(userId: string, bundle: UnsignedKeyBundle): Uint8Array {
  // Version 1's bytes are frozen (published bundles must keep verifying); version 2 has its
  // own context string, so no v1 signature can ever be read as a v2 one or the reverse.
  const fields =
    bundle.version === 2
      ? [KEY_BUNDLE_V2_CONTEXT, '2', userId, bundle.username]
      : [KEY_BUNDLE_CONTEXT, String(bundle.version), userId];
  return new TextEncoder().encode(
    [...fields, bundle.identity_key, bundle.x25519_key, bundle.mlkem768_key, bundle.created_at].join('\n'),
  );
}

/**
 * What is wrong with a bundle's version or creation time, checked before its
 * signature (an unknown version may sign different bytes; a far-future time is
 * not a real bundle). Undefined when both are sane. `now` is the checker's clock.
 */
export const keyBundleHeaderProblem = (
  bundle: { version: unknown; created_at: unknown },
  now: number = Date.now(),
): string | undefined => {
  if (!KEY_BUNDLE_VERSIONS.includes(bundle.version as 1 | 2))
    return `unsupported key bundle version ${JSON.stringify(bundle.version)}`;
  const createdAt = typeof bundle.created_at === 'string' ? bundle.created_at : '';
  const at = Date.parse(createdAt);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(createdAt) || !Number.isFinite(at))
    return 'key bundle created_at is not an ISO 8601 UTC time';
  if (at < Date.parse(KEY_BUNDLE_EPOCH)) return 'key bundle created_at is before LockBox existed';
  if (at > now + KEY_BUNDLE_MAX_FUTURE_MS) return 'key bundle created_at is in the future';
  return undefined;
};
