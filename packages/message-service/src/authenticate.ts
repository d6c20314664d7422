/**
 * Access-token checks without a hop to auth per request: the signature and
 * claims are verified locally against auth's JWKS, and the session must not be
 * on the revocation list mirrored from auth's feed.
 */
import type { AuthRouter } from '@lockbox/contracts';
import {
  AppError,
  type AuthUser,
  bearerToken,
  createInternalClient,
  createRemoteTokenVerifier,
  createRevocationList,
  type Logger,
  type RevocationList,
} from '@lockbox/service-kit';
import { createVerifiedTokens } from './verified-tokens';

export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<AuthUser>;
  revocations: RevocationList;
}

export const createAuthenticator = (opts: {
  authUrls: string[];
  internalToken: string;
  timeoutMs: number;
  pollMs: number;
  /** Verified tokens remembered until they expire (0: verify every request). */
  cacheEntries: number;
  log: Logger;
}): Authenticator => {
  const auth = createInternalClient<AuthRouter>({
    urls: opts.authUrls,
    internalToken: opts.internalToken,
    timeoutMs: opts.timeoutMs,
  });
  const revocations = createRevocationList({
    fetchSince: (after) => auth.internal.revocationsSince.query({ after }),
    intervalMs: opts.pollMs,
    log: opts.log,
  });
  // Every auth instance serves the same keys (they share the database), so the first one's JWKS will do.
  const verify = createRemoteTokenVerifier(`${opts.authUrls[0]}/auth/.well-known/jwks.json`, (sid) =>
    revocations.isRevoked(sid),
  );
  const verified = createVerifiedTokens(opts.cacheEntries);
  return {
    revocations,
    authenticate: async (authorization) => {
      const token = bearerToken(authorization);
      const known = verified.get(token);
      if (known && revocations.synced) {
        if (revocations.isRevoked(known.sessionId)) throw new AppError('unauthorized', 'session ended');
        return known;
      }
      const user = await verify(authorization);
      verified.remember(token, user);
      if (!revocations.synced) {
        await revocations.ensureSynced();
        if (revocations.isRevoked(user.sessionId)) throw new AppError('unauthorized', 'session ended');
      }
      return user;
    },
  };
};
