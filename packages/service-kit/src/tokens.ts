/**
 * Access-token rules shared by the issuer (auth) and every verifier. Tokens
 * are EdDSA JWTs (RFC 9068 `at+jwt`); the algorithm is pinned, and `iss`,
 * `aud`, `exp`, `typ` are all required, so `alg: none`, HS256-with-the-public-key,
 * missing `exp` and refresh tokens presented as access tokens all fail.
 */
import {
  createRemoteJWKSet,
  errors,
  type importJWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyObject,
} from 'jose';
import { AppError } from './errors';
import type { AuthUser } from './trpc';

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

export const ACCESS_TOKEN = {
  algorithm: 'EdDSA',
  issuer: 'lockbox-auth',
  audience: 'lockbox',
  typ: 'at+jwt',
  /** Short: a stolen token is worth little, and revocation lists stay small. */
  ttlSeconds: 15 * 60,
  /** Anything longer is not one of ours; refused before parsing. */
  maxLength: 2048,
} as const;

export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  name: string;
}

export const bearerToken = (authorization: string | undefined): string => {
  if (!authorization) throw new AppError('unauthorized', 'missing bearer token');
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/i.exec(authorization);
  if (!match) throw new AppError('unauthorized', 'malformed Authorization header');
  return match[1] as string;
};

export const verifyAccessToken = async (
  token: string,
  key: KeyObject | VerifyKey | JWTVerifyGetKey,
): Promise<AuthUser> => {
  if (token.length > ACCESS_TOKEN.maxLength) throw new AppError('unauthorized', 'invalid token');
  try {
    const { payload } = await jwtVerify<AccessClaims>(token, key as JWTVerifyGetKey, {
      algorithms: [ACCESS_TOKEN.algorithm],
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      typ: ACCESS_TOKEN.typ,
      requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      clockTolerance: 5,
    });
    if (typeof payload.sid !== 'string' || typeof payload.name !== 'string')
      throw new AppError('unauthorized', 'invalid token');
    return { id: payload.sub, username: payload.name, sessionId: payload.sid };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof errors.JWTExpired) throw new AppError('token_expired', 'access token expired');
    if (err instanceof errors.JOSEError) throw new AppError('unauthorized', 'invalid token');
    throw err;
  }
};

/**
 * For services other than auth: verifies locally with keys fetched once from
 * auth's JWKS (cached, refetched on an unknown `kid`), and refuses sessions
 * that auth has revoked.
 */
export const createRemoteTokenVerifier = (jwksUrl: string, isRevoked: (sessionId: string) => boolean) => {
  const jwks = createRemoteJWKSet(new URL(jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 3_000 });
  return async (authorization: string | undefined): Promise<AuthUser> => {
    const user = await verifyAccessToken(bearerToken(authorization), jwks).catch((err) => {
      if (err instanceof AppError) throw err;
      throw new AppError('service_unavailable', 'cannot verify tokens right now', {
        retryAfter: 2,
        cause: err,
      });
    });
    if (isRevoked(user.sessionId)) throw new AppError('unauthorized', 'session ended');
    return user;
  };
};
