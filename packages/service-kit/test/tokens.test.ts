/** Access-token verification as other services do it: local, from auth's JWKS, with revocations. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors';
import { ACCESS_TOKEN, bearerToken, createRemoteTokenVerifier, verifyAccessToken } from '../src/tokens';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let signing: { privateKey: Key; publicKey: Key };
let jwks: { keys: JWK[] };
let jwksServer: http.Server;
let jwksUrl: string;
let jwksUp = true;

const sign = (claims: Record<string, unknown> = {}, key: Key = signing.privateKey, kid = 'k1') => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: 'ses_1', name: 'alice', iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: ACCESS_TOKEN.typ, kid })
    .setIssuer(ACCESS_TOKEN.issuer)
    .setAudience(ACCESS_TOKEN.audience)
    .setSubject('usr_alice')
    .sign(key);
};

beforeAll(async () => {
  signing = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  jwks = { keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
  jwksServer = http.createServer((_req, res) => {
    if (!jwksUp) {
      res.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/auth/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((r) => jwksServer.close(() => r())));

const rejection = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe('bearerToken', () => {
  it('takes the token from "Bearer <token>" only', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer a.b.c')).toBe('a.b.c');
    for (const bad of [undefined, '', 'a.b.c', 'Basic a.b.c', 'Bearer a b', 'Bearer a.b.c ', 'Bearer a"b'])
      expect(() => bearerToken(bad)).toThrow(AppError);
  });
});

describe('verifyAccessToken', () => {
  it('answers the user for a good token', async () => {
    expect(await verifyAccessToken(await sign(), signing.publicKey)).toEqual({
      id: 'usr_alice',
      username: 'alice',
      sessionId: 'ses_1',
    });
  });

  it('refuses a token without a name claim, or longer than any of ours', async () => {
    expect((await rejection(verifyAccessToken(await sign({ name: 5 }), signing.publicKey))).appCode).toBe(
      'unauthorized',
    );
    const long = await sign({ pad: 'x'.repeat(ACCESS_TOKEN.maxLength) });
    expect((await rejection(verifyAccessToken(long, signing.publicKey))).appCode).toBe('unauthorized');
  });

  it('says token_expired for an expired token', async () => {
    const expired = await sign({ exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await rejection(verifyAccessToken(expired, signing.publicKey))).appCode).toBe('token_expired');
  });
});

describe('createRemoteTokenVerifier', () => {
  it('verifies from the JWKS and refuses revoked sessions', async () => {
    const revoked = new Set<string>();
    const verify = createRemoteTokenVerifier(jwksUrl, (sid) => revoked.has(sid));
    expect((await verify(`Bearer ${await sign()}`)).id).toBe('usr_alice');
    revoked.add('ses_1');
    expect((await rejection(verify(`Bearer ${await sign()}`))).appCode).toBe('unauthorized');
    expect((await verify(`Bearer ${await sign({ sid: 'ses_2' })}`)).sessionId).toBe('ses_2');
  });

  it('refuses a token from another key under a known kid', async () => {
    const verify = createRemoteTokenVerifier(jwksUrl, () => false);
    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect((await rejection(verify(`Bearer ${await sign({}, other.privateKey)}`))).appCode).toBe(
      'unauthorized',
    );
  });

  it('answers 503 (not 401, not a crash) when the JWKS cannot be fetched', async () => {
    const verify = createRemoteTokenVerifier(jwksUrl, () => false);
    jwksUp = false;
    try {
      const err = await rejection(verify(`Bearer ${await sign()}`));
      expect(err.appCode).toBe('service_unavailable');
      expect(err.retryAfter).toBeGreaterThan(0);
    } finally {
      jwksUp = true;
    }
    expect((await verify(`Bearer ${await sign()}`)).id).toBe('usr_alice');
  });
});
