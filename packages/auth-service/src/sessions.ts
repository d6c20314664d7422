/**
 * Sessions and rotating refresh tokens. A refresh token is 32 random bytes,
 * stored only as its SHA-256. Presenting a spent one is treated as theft: the
 * whole session (its rotation family) is revoked, for the thief and the owner.
 */
import { createHash, randomBytes } from 'node:crypto';
import { newId, type TSessionResponse } from '@lockbox/contracts';
import { ACCESS_TOKEN, AppError, type Database, type Queryable } from '@lockbox/service-kit';
import type { TokenIssuer } from './token-issuer';

const REFRESH_PREFIX = 'rt_';
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface SessionStore {
  open(user: { id: string; username: string }): Promise<TSessionResponse>;
  refresh(refreshToken: string): Promise<TSessionResponse>;
  revoke(sessionId: string, reason: string): Promise<void>;
  isActive(sessionId: string): Promise<boolean>;
}

export const createSessionStore = (db: Database, issuer: TokenIssuer, ttlDays: number): SessionStore => {
  const issue = async (tx: Queryable, user: { id: string; username: string }, sessionId: string) => {
    const refreshToken = REFRESH_PREFIX + randomBytes(32).toString('base64url');
    await tx.query('INSERT INTO lockbox_auth.refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
      hashToken(refreshToken),
      sessionId,
    ]);
    return {
      access_token: await issuer.sign(user, sessionId),
      token_type: 'bearer' as const,
      expires_in: ACCESS_TOKEN.ttlSeconds,
      refresh_token: refreshToken,
      user: { id: user.id, username: user.username },
    };
  };

  const revokeIn = async (tx: Queryable, sessionId: string, reason: string) => {
    const rows = await tx.query<{ user_id: string }>(
      `UPDATE lockbox_auth.sessions SET revoked_at = now(), revoked_reason = $2
        WHERE id = $1 AND revoked_at IS NULL RETURNING user_id`,
      [sessionId, reason],
    );
    if (rows[0])
      await tx.query('INSERT INTO lockbox_auth.revocations (session_id, user_id) VALUES ($1, $2)', [
        sessionId,
        rows[0].user_id,
      ]);
  };

  return {
    open: (user) =>
      db.transaction(async (tx) => {
        const sessionId = newId('session');
        await tx.query(
          `INSERT INTO lockbox_auth.sessions (id, user_id, expires_at) VALUES ($1, $2, now() + make_interval(days => $3))`,
          [sessionId, user.id, ttlDays],
        );
        return issue(tx, user, sessionId);
      }),

    refresh: async (refreshToken) => {
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx.query<{
          session_id: string;
          spent: boolean;
          live: boolean;
          user_id: string;
          username: string;
        }>(
          `SELECT t.session_id, t.spent_at IS NOT NULL AS spent,
                  (s.revoked_at IS NULL AND s.expires_at > now()) AS live, u.id AS user_id, u.username
             FROM lockbox_auth.refresh_tokens t
             JOIN lockbox_auth.sessions s ON s.id = t.session_id
             JOIN lockbox_auth.users u ON u.id = s.user_id
            WHERE t.token_hash = $1
            FOR UPDATE OF t, s`,
          [hashToken(refreshToken)],
        );
        if (!row) return 'unknown' as const;
        if (row.spent) {
          await revokeIn(tx, row.session_id, 'refresh_token_reuse');
          return 'reused' as const;
        }
        if (!row.live) return 'ended' as const;
        await tx.query('UPDATE lockbox_auth.refresh_tokens SET spent_at = now() WHERE token_hash = $1', [
          hashToken(refreshToken),
        ]);
        await tx.query(
          `UPDATE lockbox_auth.sessions SET expires_at = now() + make_interval(days => $2) WHERE id = $1`,
          [row.session_id, ttlDays],
        );
        // A refresh is a sign of life too (most of a device's requests go to other services).
        await tx.query(
          `UPDATE lockbox_auth.devices SET last_seen_at = now()
            WHERE id = (SELECT device_id FROM lockbox_auth.sessions WHERE id = $1)
              AND last_seen_at < now() - interval '1 minute'`,
          [row.session_id],
        );
        return issue(tx, { id: row.user_id, username: row.username }, row.session_id);
      });
      if (outcome === 'reused')
        throw new AppError('unauthorized', 'refresh token was already used; the session has been revoked');
      if (typeof outcome === 'string') throw new AppError('unauthorized', 'invalid or expired refresh token');
      return outcome;
    },

    revoke: (sessionId, reason) => db.transaction((tx) => revokeIn(tx, sessionId, reason)),

    isActive: async (sessionId) => {
      const rows = await db.query(
        'SELECT 1 FROM lockbox_auth.sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()',
        [sessionId],
      );
      return rows.length > 0;
    },
  };
};
