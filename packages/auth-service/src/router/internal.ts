/** Lookups for other services, reachable only with the internal credential (never routed by the gateway). */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';

export const internalHandlers = (deps: AuthDeps): HandlersOf<AuthContract['internal']> => ({
  usersByIds: async ({ input }) =>
    deps.db.query('SELECT id, username FROM lockbox_auth.users WHERE id = ANY($1::text[])', [input.ids]),

  usersByUsernames: async ({ input }) =>
    deps.db.query('SELECT id, username FROM lockbox_auth.users WHERE username_lower = ANY($1::text[])', [
      input.usernames.map((u) => u.toLowerCase()),
    ]),

  revocationsSince: async ({ input }) => {
    const rows = await deps.db.query<{ seq: number; session_id: string; user_id: string }>(
      `SELECT seq::int8 AS seq, session_id, user_id FROM lockbox_auth.revocations
        WHERE seq > $1 ORDER BY seq LIMIT 1000`,
      [input.after],
    );
    return {
      cursor: rows.length ? Number((rows[rows.length - 1] as { seq: number }).seq) : input.after,
      revoked: rows.map((r) => ({ session_id: r.session_id, user_id: r.user_id })),
    };
  },

  deviceActive: async ({ input }) => {
    const rows = await deps.db.query(
      'SELECT 1 FROM lockbox_auth.devices WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [input.device_id, input.user_id],
    );
    return { active: rows.length > 0 };
  },
});
