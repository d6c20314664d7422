/** Accounts and sessions: register, login, refresh, logout, me, verify, prelogin, jwks. */
import { type AuthContract, newId, type TClientKdf } from '@lockbox/contracts';
import { AppError, bearerToken, type HandlersOf, verifyAccessToken } from '@lockbox/service-kit';
import { changePasswordHandler } from '../change-password';
import type { AuthDeps } from '../deps';
import { SESSION_CHECK_SQL, TOUCH_DEVICE_SQL } from '../devices/session-device';
import { listSessionsHandler } from './list-sessions';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  client_kdf: TClientKdf | null;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

export const authHandlers = (deps: AuthDeps): HandlersOf<AuthContract['auth']> => ({
  register: async ({ input, ctx }) => {
    await deps.limits.registerPerIp.consume(ctx.clientIp);
    const lower = input.username.toLowerCase();
    const taken = await deps.db.query('SELECT 1 FROM lockbox_auth.users WHERE username_lower = $1', [lower]);
    if (taken.length) throw new AppError('username_taken', 'that username is taken');
    const passwordHash = await deps.passwords.hash(input.password);
    const id = newId('user');
    try {
      await deps.db.query(
        `INSERT INTO lockbox_auth.users (id, username, username_lower, password_hash, client_kdf)
         VALUES ($1, $2, $3, $4, $5)`,
        [id, input.username, lower, passwordHash, input.client_kdf ? JSON.stringify(input.client_kdf) : null],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('username_taken', 'that username is taken');
      throw err;
    }
    ctx.log.info({ userId: id }, 'user registered');
    return deps.sessions.open({ id, username: input.username });
  },

  login: async ({ input, ctx }) => {
    const lower = input.username.toLowerCase();
    const accountIpKey = `${lower}|${ctx.clientIp}`;
    await deps.limits.loginPerIp.consume(ctx.clientIp);
    await deps.limits.loginFailsPerAccountIp.check(accountIpKey);
    await deps.limits.loginFailsPerAccount.check(lower);
    const [user] = await deps.db.query<UserRow>(
      'SELECT id, username, password_hash, client_kdf FROM lockbox_auth.users WHERE username_lower = $1',
      [lower],
    );
    // Unknown user and wrong password take the same time and give the same answer.
    const ok = await deps.passwords.verify(user?.password_hash, input.password);
    if (!ok || !user) {
      await deps.limits.loginFailsPerAccountIp.penalize(accountIpKey);
      await deps.limits.loginFailsPerAccount.penalize(lower);
      throw new AppError('invalid_credentials', 'invalid username or password');
    }
    await deps.limits.loginFailsPerAccountIp.reset(accountIpKey);
    return deps.sessions.open(user);
  },

  refresh: async ({ input }) => deps.sessions.refresh(input.refresh_token),

  logout: async ({ ctx }) => {
    await deps.sessions.revoke(ctx.user.sessionId, 'logout');
    return null;
  },

  me: async ({ ctx }) => ({ id: ctx.user.id, username: ctx.user.username }),

  sessions: listSessionsHandler(deps),

  verify: async ({ input }) => {
    const user = await verifyAccessToken(input.token, deps.issuer.publicKey);
    if (!(await deps.sessions.isActive(user.sessionId))) throw new AppError('unauthorized', 'session ended');
    return { id: user.id, username: user.username };
  },

  prelogin: async ({ input, ctx }) => {
    await deps.limits.preloginPerIp.consume(ctx.clientIp);
    const [row] = await deps.db.query<{ client_kdf: TClientKdf | null }>(
      'SELECT client_kdf FROM lockbox_auth.users WHERE username_lower = $1',
      [input.username.toLowerCase()],
    );
    return deps.prelogin.answer(input.username, row?.client_kdf);
  },

  changePassword: changePasswordHandler(deps),

  jwks: async () => deps.issuer.jwks,
});

/** The auth service's own token check: signature and claims, then the session must still be live. */
export const createLocalAuthenticator =
  (deps: Pick<AuthDeps, 'issuer' | 'db'>) => async (authorization: string | undefined) => {
    const user = await verifyAccessToken(bearerToken(authorization), deps.issuer.publicKey);
    // The live-session check also says whether the session's device needs its last_seen_at moved.
    const [session] = await deps.db.query<{ device_id: string | null; stale: boolean | null }>(
      SESSION_CHECK_SQL,
      [user.sessionId],
    );
    if (!session) throw new AppError('unauthorized', 'session ended');
    if (session.device_id && session.stale) await deps.db.query(TOUCH_DEVICE_SQL, [session.device_id]);
    return user;
  };
