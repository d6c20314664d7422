/** Lies a hostile server tells about who is who (identity slice): relabelled ids and forged bundles. */
import { keyBundleSigningBytes, type TKeyBundle } from '@lockbox/contracts';
import type { HostileServer } from '@lockbox/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { LockboxSession } from '../../src';
import { type Identity, identityFromSecrets, signKeyBundle, toBase64 } from '../../src/crypto';

/** The current identity of a signed-in session (read from its store, as a thief of the device would). */
export const identityOf = async (s: LockboxSession): Promise<Identity> => {
  const secrets = await s.profile.identities(s.user?.user_id as string);
  return identityFromSecrets((secrets as NonNullable<typeof secrets>)[0] as NonNullable<typeof secrets>[0]);
};

/** A bundle `identity` signs for `userId` under `username` (version 2), as the directory would serve it. */
export const servedBundle = (userId: string, username: string, identity: Identity) => ({
  ...signKeyBundle(userId, username, identity),
  user_id: userId,
  published_at: new Date().toISOString(),
});

/** A legacy version 1 bundle (no username), signed by `identity` for `userId`. */
export const servedLegacyBundle = (userId: string, identity: Identity) => {
  const { username: _u, version: _v, signature: _s, ...fields } = signKeyBundle(userId, 'x', identity);
  const unsigned = { version: 1 as const, ...fields };
  const signature = toBase64(
    ed25519.sign(keyBundleSigningBytes(userId, unsigned), identity.secrets.signingSeed),
  );
  return { ...unsigned, signature, user_id: userId, published_at: new Date().toISOString() } as TKeyBundle;
};

/** From now on the directory answers `keys.get` for `userId` with `bundle`. */
export const forgeBundle = (hostile: HostileServer, userId: string, bundle: unknown) =>
  hostile.respond('keys.get', (call) =>
    (call.input as { user_id?: string } | undefined)?.user_id === userId
      ? { status: 200, body: { result: { data: bundle } } }
      : undefined,
  );

/** From now on a list answer (`path`) shows `toId` wherever it showed `fromId` (same username and the rest). */
export const relabel = (hostile: HostileServer, path: string, fromId: string, toId: string) =>
  hostile.rewrite(path, (data) => JSON.parse(JSON.stringify(data).split(`"${fromId}"`).join(`"${toId}"`)));

/** The tRPC calls from index `since` on (the harness keeps every call; a test marks where it starts). */
export const callsSince = (hostile: HostileServer, since: number) => hostile.calls.slice(since);
