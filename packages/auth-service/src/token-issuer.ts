/**
 * Issues access tokens (EdDSA JWT, RFC 9068 `at+jwt`) with the signing key kept
 * in server_secrets, and publishes the public half as a JWKS.
 */
import { randomBytes } from 'node:crypto';
import { ACCESS_TOKEN, type Database } from '@lockbox/service-kit';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { getOrCreateSecret } from './server-secrets';

type Key = Awaited<ReturnType<typeof importJWK>>;
type PublicJwk = { kty: string; crv?: string; x?: string; kid: string; alg: string; use: string };

export interface TokenIssuer {
  sign(user: { id: string; username: string }, sessionId: string): Promise<string>;
  jwks: { keys: PublicJwk[] };
  publicKey: Key;
}

export const createTokenIssuer = async (db: Database): Promise<TokenIssuer> => {
  const stored = await getOrCreateSecret(db, 'access_token_signing_jwk', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    return JSON.stringify(await exportJWK(privateKey));
  });
  const privateJwk = JSON.parse(stored) as JWK;
  const { d: _secret, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateKey = await importJWK(privateJwk, ACCESS_TOKEN.algorithm);
  const publicKey = await importJWK(publicJwk, ACCESS_TOKEN.algorithm);
  return {
    publicKey,
    jwks: {
      keys: [{ ...publicJwk, kty: publicJwk.kty ?? 'OKP', kid, alg: ACCESS_TOKEN.algorithm, use: 'sig' }],
    },
    sign: (user, sessionId) =>
      new SignJWT({ sid: sessionId, name: user.username })
        .setProtectedHeader({ alg: ACCESS_TOKEN.algorithm, typ: ACCESS_TOKEN.typ, kid })
        .setIssuer(ACCESS_TOKEN.issuer)
        .setAudience(ACCESS_TOKEN.audience)
        .setSubject(user.id)
        .setJti(randomBytes(12).toString('base64url'))
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKEN.ttlSeconds}s`)
        .sign(privateKey),
  };
};
