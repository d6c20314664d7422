/**
 * Password change. The current password is checked like a login (same
 * failure limits); then the new hash, the client KDF parameters and — from
 * the SDK — the re-sealed vault are written in one transaction, so the vault
 * always opens with the password that logs in; the caller's other sessions end.
 * An SDK account must send new KDF parameters: changing its password without
 * them (with curl) would strand its vault under the old key.
 */
import type { AuthContract, TClientKdf } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from './deps';

type Handler = HandlersOf<AuthContract['auth']>['changePassword'];

export const changePasswordHandler =
  (deps: AuthDeps): Handler =>
  async ({ input, ctx }) => {
    const userId = ctx.user.id;
    const failKey = `${ctx.user.username.toLowerCase()}|${ctx.clientIp}`;
    await deps.limits.loginFailsPerAccountIp.check(failKey);
    const [user] = await deps.db.query<{ password_hash: string; client_kdf: TClientKdf | null }>(
      'SELECT password_hash, client_kdf FROM lockbox_auth.users WHERE id = $1',
      [userId],
    );
    if (!(await deps.passwords.verify(user?.password_hash, input.current_password)) || !user) {
      await deps.limits.loginFailsPerAccountIp.penalize(failKey);
      throw new AppError('invalid_credentials', 'the current password is wrong');
    }
    if (user.client_kdf && !input.client_kdf)
      throw new AppError(
        'invalid_input',
        "this account's password is derived by the LockBox app (client_kdf is required); change it there",
      );
    const hash = await deps.passwords.hash(input.new_password);
    await deps.db.transaction(async (tx) => {
      await tx.query('UPDATE lockbox_auth.users SET password_hash = $2, client_kdf = $3 WHERE id = $1', [
        userId,
        hash,
        input.client_kdf ? JSON.stringify(input.client_kdf) : null,
      ]);
      if (input.vault !== undefined) {
        const expected = input.expected_vault_version ?? null;
        const written = await tx.query(
          `WITH updated AS (
             UPDATE lockbox_auth.vaults SET vault = $2, version = version + 1, updated_at = now()
              WHERE user_id = $1 AND ($3::int IS NULL OR version = $3::int) RETURNING 1
           ), created AS (
             INSERT INTO lockbox_auth.vaults (user_id, vault, version)
             SELECT $1, $2, 1 WHERE NOT EXISTS (SELECT 1 FROM updated) AND ($3::int IS NULL OR $3::int = 0)
             ON CONFLICT (user_id) DO NOTHING RETURNING 1
           )
           SELECT 1 FROM updated UNION ALL SELECT 1 FROM created`,
          [userId, input.vault, expected],
        );
        if (written.length === 0)
          throw new AppError('conflict', 'the vault changed since you read it; read it again');
      }
      const ended = await tx.query<{ id: string }>(
        `UPDATE lockbox_auth.sessions SET revoked_at = now(), revoked_reason = 'password_changed'
          WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`,
        [userId, ctx.user.sessionId],
      );
      if (ended.length)
        await tx.query(
          'INSERT INTO lockbox_auth.revocations (session_id, user_id) SELECT unnest($1::text[]), $2',
          [ended.map((r) => r.id), userId],
        );
    });
    await deps.limits.loginFailsPerAccountIp.reset(failKey);
    ctx.log.info({ userId }, 'password changed');
    return null;
  };
