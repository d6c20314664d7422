/** User search by username prefix: index range scan, keyset-paginated, never more than id and name. */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';

/** Escapes LIKE wildcards so a search for "a_b" means the characters a, _, b. */
const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const usersHandlers = (deps: AuthDeps): HandlersOf<AuthContract['users']> => ({
  search: async ({ input, ctx }) =>
    deps.db.query<{ id: string; username: string }>(
      `SELECT id, username FROM lockbox_auth.users
        WHERE username_lower LIKE $1 AND username_lower > $2 AND id <> $3
        ORDER BY username_lower
        LIMIT $4`,
      [likePrefix(input.q.toLowerCase()), (input.after ?? '').toLowerCase(), ctx.user.id, input.limit],
    ),
});
