/** Identity-slice lies for the CLI tests: forged directory bundles and relabelled lists. */
import { crypto, type LockboxSession } from '@lockbox/client';
import type { HostileServer } from '@lockbox/testkit';

/** A version 2 bundle a fresh key signs for `userId` under `username`, as the directory serves it. */
export const freshServedBundle = (userId: string, username: string) => ({
  ...crypto.signKeyBundle(userId, username, crypto.generateIdentity()),
  user_id: userId,
  published_at: new Date().toISOString(),
});

/** From now on `keys.get` for `userId` answers `bundle`. */
export const forgeBundle = (hostile: HostileServer, userId: string, bundle: unknown) =>
  hostile.respond('keys.get', (call) =>
    (call.input as { user_id?: string } | undefined)?.user_id === userId
      ? { status: 200, body: { result: { data: bundle } } }
      : undefined,
  );

/** From now on answers of `path` show `toId` wherever they showed `fromId`. */
export const relabel = (hostile: HostileServer, path: string, fromId: string, toId: string) =>
  hostile.rewrite(path, (data) => JSON.parse(JSON.stringify(data).split(`"${fromId}"`).join(`"${toId}"`)));

/** A new identity published for a signed-in account (as after a reset, or a server swapping keys). */
export const publishNewKey = async (s: LockboxSession) => {
  const user = s.user as { user_id: string; username: string };
  await s.api.trpc.keys.publish.mutate(
    crypto.signKeyBundle(user.user_id, user.username, crypto.generateIdentity()),
  );
};
