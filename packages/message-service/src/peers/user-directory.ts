/**
 * Who exists, and their usernames: batch lookups in auth-service over the
 * typed internal client. auth-service is the only owner of users; a lookup
 * that fails or times out becomes a clean 503 with Retry-After, never a hang.
 */
import type { AuthRouter, TUser } from '@lockbox/contracts';
import { AppError, createInternalClient, type Logger } from '@lockbox/service-kit';

export interface UserDirectory {
  /** The users that exist among `ids` (unknown ids are simply absent). */
  byIds(ids: readonly string[]): Promise<Map<string, TUser>>;
  /** Case-insensitive; undefined when no such user. */
  byUsername(username: string): Promise<TUser | undefined>;
}

/** auth's batch limit per call. */
const BATCH = 200;

export const createUserDirectory = (opts: {
  urls: string[];
  internalToken: string;
  timeoutMs: number;
  log: Logger;
}): UserDirectory => {
  const auth = createInternalClient<AuthRouter>({
    urls: opts.urls,
    internalToken: opts.internalToken,
    timeoutMs: opts.timeoutMs,
  });
  const unavailable = (err: unknown): never => {
    opts.log.warn({ err: (err as Error).message }, 'auth-service lookup failed');
    throw new AppError('service_unavailable', 'the user directory is unavailable; try again shortly', {
      retryAfter: 2,
      cause: err,
    });
  };
  return {
    byIds: async (ids) => {
      const unique = [...new Set(ids)];
      const found = new Map<string, TUser>();
      for (let i = 0; i < unique.length; i += BATCH) {
        const users = await auth.internal.usersByIds
          .query({ ids: unique.slice(i, i + BATCH) })
          .catch(unavailable);
        for (const u of users) found.set(u.id, u);
      }
      return found;
    },
    byUsername: async (username) => {
      const [user] = await auth.internal.usersByUsernames.query({ usernames: [username] }).catch(unavailable);
      return user;
    },
  };
};
