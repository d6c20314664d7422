/**
 * JWT attacks (RELIABILITY 9) against /auth/me. Tokens with bad claims are
 * signed with the service's real key (read from its database), so each one
 * fails for the claim under test, not for its signature; a control token made
 * the same way with good claims must pass.
 */
import { randomBytes } from 'node:crypto';
import { enginesUnderTest } from '@lockbox/testkit';
import { exportSPKI, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type Account, type ErrorJson, register } from './helpers/users';

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe.each(enginesUnderTest())('JWT attacks on %s', (engine) => {
  let auth: TestAuth;
  let alice: Account;
  let kid: string;
  let publicJwk: JWK;
  let serverKey: Awaited<ReturnType<typeof importJWK>>;
  /** Claims of alice's live session, as the service itself issues them. */
  let claims: JWTPayload & { sid: string; name: string; sub: string };

  beforeAll(async () => {
    auth = await startAuth(engine);
    alice = await register(auth.api);
    const jwks = await auth.api.get<{ keys: Array<JWK & { kid: string }> }>('/auth/.well-known/jwks.json');
    publicJwk = jwks.json.keys[0] as JWK;
    kid = jwks.json.keys[0]?.kid as string;
    const [row] = await auth.running.kit.db.query<{ value: string }>(
      "SELECT value FROM lockbox_auth.server_secrets WHERE name = 'access_token_signing_jwk'",
    );
    serverKey = await importJWK(JSON.parse(row?.value as string) as JWK, 'EdDSA');
    claims = JSON.parse(Buffer.from(alice.token.split('.')[1] as string, 'base64url').toString());
  });
  afterAll(() => auth?.close());

  const me = (token: string) => auth.api.get<ErrorJson>('/auth/me', { token });

  /** Signs with the service's own key; each override breaks one rule. */
  const forge = async (
    opts: {
      header?: Record<string, unknown>;
      payload?: Record<string, unknown>;
      drop?: string[];
      crit?: Record<string, boolean>;
    } = {},
  ) => {
    const payload: Record<string, unknown> = { ...claims, iat: now(), exp: now() + 600, ...opts.payload };
    for (const k of opts.drop ?? []) delete payload[k];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid, ...opts.header } as never)
      .sign(serverKey, opts.crit ? { crit: opts.crit } : undefined);
  };

  it('control: a token forged with the real key and good claims is accepted', async () => {
    const res = await me(await forge());
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: alice.id, username: alice.username });
  });

  const expect401 = async (token: string) => {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(['unauthorized', 'token_expired']).toContain(res.json.error.code);
  };

  it('alg: none', async () => {
    const [, payload] = alice.token.split('.');
    await expect401(`${b64url({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`);
    await expect401(`${b64url({ alg: 'none', typ: 'at+jwt', kid })}.${payload}`);
    await expect401(`${b64url({ alg: 'NONE', typ: 'at+jwt' })}.${payload}.`);
  });

  it('HS256 signed with the public key (as raw bytes, JWK, PEM)', async () => {
    const raw = Buffer.from(publicJwk.x as string, 'base64url');
    const pem = await exportSPKI((await importJWK(publicJwk, 'EdDSA')) as Parameters<typeof exportSPKI>[0]);
    for (const secret of [
      raw,
      Buffer.from(JSON.stringify(publicJwk)),
      Buffer.from(pem),
      Buffer.from(publicJwk.x as string),
    ]) {
      const token = await new SignJWT({ ...claims, exp: now() + 600 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
        .sign(new Uint8Array(secret));
      await expect401(token);
    }
  });

  it('expired', async () => {
    await expect401(await forge({ payload: { iat: now() - 3600, exp: now() - 60 } }));
    expect((await me(await forge({ payload: { exp: now() - 60 } }))).json.error.code).toBe('token_expired');
  });

  it('not yet valid (nbf in the future)', async () => {
    await expect401(await forge({ payload: { nbf: now() + 3600 } }));
  });

  it('wrong audience or issuer', async () => {
    await expect401(await forge({ payload: { aud: 'someone-else' } }));
    await expect401(await forge({ payload: { aud: ['someone-else'] } }));
    await expect401(await forge({ drop: ['aud'] }));
    await expect401(await forge({ payload: { iss: 'https://evil.example' } }));
    await expect401(await forge({ drop: ['iss'] }));
  });

  it('no exp, no iat, no sub, no sid', async () => {
    for (const claim of ['exp', 'iat', 'sub', 'sid']) await expect401(await forge({ drop: [claim] }));
  });

  it('wrong or missing typ', async () => {
    await expect401(await forge({ header: { typ: 'JWT' } }));
    await expect401(await forge({ header: { typ: 'refresh+jwt' } }));
    await expect401(await forge({ header: { typ: undefined } }));
  });

  it('a session that does not exist or was revoked', async () => {
    await expect401(await forge({ payload: { sid: 'ses_0123456789abcdefghjkmnpqrs' } }));
    const bob = await register(auth.api);
    const bobClaims = JSON.parse(Buffer.from(bob.token.split('.')[1] as string, 'base64url').toString());
    expect((await auth.api.post('/auth/logout', { token: bob.token })).status).toBe(204);
    await expect401(await forge({ payload: { ...bobClaims, iat: now(), exp: now() + 600 } }));
  });

  it('a 20 KB token', async () => {
    await expect401(await forge({ payload: { pad: 'x'.repeat(20 * 1024) } }));
    await expect401(`${alice.token}${'A'.repeat(20 * 1024)}`);
  });

  it('a refresh token used as an access token', async () => {
    await expect401(alice.refreshToken);
  });

  it('signed by another Ed25519 key under the same kid', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const token = await new SignJWT({ ...claims, iat: now(), exp: now() + 600 })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .sign(privateKey);
    await expect401(token);
  });

  it('a valid signature over a modified payload', async () => {
    const [h, , s] = alice.token.split('.');
    const evil = b64url({ ...claims, sub: 'usr_zzzzzzzzzzzzzzzzzzzzzzzzzz' });
    await expect401(`${h}.${evil}.${s}`);
  });

  it('an unknown critical header', async () => {
    await expect401(
      await forge({ header: { crit: ['x-lockbox'], 'x-lockbox': 1 }, crit: { 'x-lockbox': true } }),
    );
  });

  it('malformed Authorization headers', async () => {
    for (const authorization of [
      `Basic ${alice.token}`,
      `Bearer ${alice.token} ${alice.token}`,
      `Bearer  ${alice.token}`,
      alice.token,
      `Bearer ${alice.token}\u00a0`,
      `Bearer ${randomBytes(16).toString('hex')}`,
    ]) {
      const res = await auth.api.get('/auth/me', { headers: { authorization } });
      expect(res.status).toBe(401);
    }
  });
});
