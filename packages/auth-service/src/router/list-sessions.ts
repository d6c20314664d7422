/**
 * `auth.sessions` (GET /auth/sessions): the caller's own live sessions, so a
 * user can see where they are signed in. Only sessions that still work are
 * listed (not revoked, not expired); refresh tokens never leave the store.
 */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';

type Handler = HandlersOf<AuthContract['auth']>['sessions'];

interface SessionRow {
  id: string;
  created_at: Date;
  expires_at: Date;
}

export const LIVE_SESSIONS_SQL = `
  SELECT id, created_at, expires_at FROM lockbox_auth.sessions
   WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
   ORDER BY created_at, id`;

export const listSessionsHandler =
  (deps: Pick<AuthDeps, 'db'>): Handler =>
  async ({ ctx }) => {
    const rows = await deps.db.query<SessionRow>(LIVE_SESSIONS_SQL, [ctx.user.id]);
    return rows.map((r) => ({
      id: r.id,
      created_at: new Date(r.created_at).toISOString(),
      expires_at: new Date(r.expires_at).toISOString(),
      current: r.id === ctx.user.sessionId,
    }));
  };
