/** Accounts and sessions, in process, on each engine: register, login, refresh, logout, me, verify, prelogin, jwks. */
import { randomBytes } from 'node:crypto';
import type { TPreloginResponse, TSessionResponse } from '@lockbox/contracts';
import { enginesUnderTest, eventually } from '@lockbox/testkit';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type ErrorJson, errorShape, login, register, uniqueUsername } from './helpers/users';

const USER_ID = /^usr_[0-9a-hjkmnp-tv-z]{26}$/;

describe.each(enginesUnderTest())('accounts on %s', (engine) => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth(engine);
  });
  afterAll(() => auth?.close());

  const me = (token: string) =>
    auth.api.get<{ id: string; username: string } & ErrorJson>('/auth/me', { token });
  const refresh = (refresh_token: string) =>
    auth.api.post<TSessionResponse & ErrorJson>('/auth/refresh', { body: { refresh_token } });

  describe('register', () => {
    it('answers 201 with a session of the documented shape', async () => {
      const username = uniqueUsername('Reg');
      const res = await auth.api.post<TSessionResponse>('/auth/register', {
        body: { username, password: 'correct horse battery' },
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.json).sort()).toEqual(
        ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user'].sort(),
      );
      expect(res.json).toMatchObject({ token_type: 'bearer', expires_in: 900, user: { username } });
      expect(res.json.user.id).toMatch(USER_ID);
      expect(Object.keys(res.json.user).sort()).toEqual(['id', 'username']);
      expect(res.json.access_token.split('.')).toHaveLength(3);
      expect(res.json.refresh_token).not.toBe(res.json.access_token);
      expect((await me(res.json.access_token)).json).toEqual({ id: res.json.user.id, username });
    });

    it("refuses the original README's 7-character password with a clear message", async () => {
      const res = await auth.api.post<ErrorJson>('/auth/register', {
        body: '{"username":"test","password":"test123"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(res.json.error.message).toMatch(/password.*at least 8 characters/);
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'x'.repeat(33)],
      ['10,000 characters', 'x'.repeat(10_000)],
      ['a space', 'a b'],
      ['a slash', 'a/b'],
      ['non-ASCII', 'jürgen'],
      ['an @', 'a@b.c'],
    ])('refuses a username with %s (400, says why)', async (_why, username) => {
      const res = await auth.api.post<ErrorJson>('/auth/register', {
        body: { username, password: 'long enough' },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/^username: /);
    });

    it.each([
      ['a number', { username: 123, password: 'long enough' }],
      ['null', { username: null, password: 'long enough' }],
      ['an array', { username: ['abc'], password: 'long enough' }],
      ['an unknown key', { username: uniqueUsername(), password: 'long enough', admin: true }],
      [
        'a user id',
        { username: uniqueUsername(), password: 'long enough', id: 'usr_0123456789abcdefghjkmnpqrs' },
      ],
      ['nothing', {}],
    ])('refuses %s (400)', async (_why, body) => {
      expect((await auth.api.post('/auth/register', { body })).status).toBe(400);
    });

    it('keeps usernames unique regardless of case (409)', async () => {
      const base = uniqueUsername('Case');
      await register(auth.api, { username: base });
      for (const variant of [base, base.toLowerCase(), base.toUpperCase()]) {
        const res = await auth.api.post<ErrorJson>('/auth/register', {
          body: { username: variant, password: 'long enough' },
        });
        expect(res.status).toBe(409);
        expect(res.json.error.code).toBe('username_taken');
      }
    });

    it('lets one of two racing sign-ups for the same name (any case) win', async () => {
      const name = uniqueUsername('Race');
      const results = await Promise.all(
        [name, name.toLowerCase(), name.toUpperCase()].map((username) =>
          auth.api.post('/auth/register', { body: { username, password: 'long enough' } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });

    it('accepts a 64-character password, and that password logs in', async () => {
      const password = 'p'.repeat(32) + randomBytes(16).toString('hex');
      expect(password).toHaveLength(64);
      const a = await register(auth.api, { password });
      expect((await login(auth.api, a.username, password)).status).toBe(200);
    });

    it('refuses a 1 MB password before hashing (400 by its bound, 413 past the body limit)', async () => {
      const res = await auth.api.post<ErrorJson>('/auth/register', {
        body: { username: uniqueUsername(), password: 'x'.repeat(1_000_000) },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/password.*at most 1024/);
      const huge = await auth.api.post<ErrorJson>('/auth/login', {
        body: { username: 'someone', password: 'x'.repeat(2_000_000) },
      });
      expect(huge.status).toBe(413);
    });
  });

  describe('bad input (RELIABILITY bad input 1–8)', () => {
    const routes = ['/auth/register', '/auth/login', '/auth/refresh', '/auth/prelogin'];
    const bodies = [
      ['null', 'null'],
      ['an array', '[]'],
      ['a number', '12'],
      ['a string', '"abc"'],
      ['null fields', '{"username":null,"password":null,"refresh_token":null}'],
      ['array fields', '{"username":["a"],"password":["b"],"refresh_token":["c"]}'],
      ['huge numbers', '{"username":1e400,"password":123456789012345678901234567890,"refresh_token":-1e400}'],
      ['NaN', '{"username":NaN}'],
      ['a trailing comma', '{"username":"abc",}'],
      ['__proto__', '{"__proto__":{"admin":true},"username":"abcd","password":"long enough"}'],
    ] as const;
    it.each(routes.flatMap((r) => bodies.map(([what, body]) => [r, what, body] as const)))(
      '%s refuses %s with 400',
      async (route, _what, body) => {
        const res = await auth.api.post<ErrorJson>(route, {
          body,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(400);
        expect(['invalid_input', 'invalid_json']).toContain(res.json.error.code);
      },
    );

    it('refuses a JSON body sent as text/plain with 415', async () => {
      const res = await auth.api.post('/auth/login', {
        body: '{"username":"abc","password":"long enough"}',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(415);
    });
  });

  describe('login', () => {
    it('answers 200 with a session; the username is case-insensitive', async () => {
      const a = await register(auth.api, { username: uniqueUsername('Login') });
      const res = await login(auth.api, a.username.toUpperCase(), a.password);
      expect(res.status).toBe(200);
      expect(res.json.user).toEqual({ id: a.id, username: a.username });
      expect(res.json.token_type).toBe('bearer');
      expect((await me(res.json.access_token)).json.id).toBe(a.id);
    });

    it('answers an unknown user and a wrong password alike (status, code, message)', async () => {
      const a = await register(auth.api);
      const wrong = await login(auth.api, a.username, `${a.password}x`);
      const unknown = await login(auth.api, uniqueUsername('ghost'), a.password);
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(wrong.status);
      expect(errorShape(unknown.json)).toEqual(errorShape(wrong.json));
      expect(wrong.json.error.code).toBe('invalid_credentials');
      expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(wrong.headers).sort());
    });

    it('refuses malformed input with 400', async () => {
      expect((await auth.api.post('/auth/login', { body: { username: 'abc' } })).status).toBe(400);
      expect((await auth.api.post('/auth/login', { body: { username: 'abc', password: '' } })).status).toBe(
        400,
      );
    });
  });

  describe('refresh', () => {
    it('rotates: a new pair, the old refresh token spent', async () => {
      const a = await register(auth.api);
      const next = await refresh(a.refreshToken);
      expect(next.status).toBe(200);
      expect(next.json.user).toEqual({ id: a.id, username: a.username });
      expect(next.json.refresh_token).not.toBe(a.refreshToken);
      expect(next.json.access_token).not.toBe(a.token);
      expect((await me(next.json.access_token)).status).toBe(200);
      const third = await refresh(next.json.refresh_token);
      expect(third.status).toBe(200);
    });

    it('reusing a spent token revokes the whole family, and only that family', async () => {
      const a = await register(auth.api);
      const other = await login(auth.api, a.username, a.password); // a second session of the same user
      const next = await refresh(a.refreshToken);
      expect(next.status).toBe(200);
      const reused = await refresh(a.refreshToken);
      expect(reused.status).toBe(401);
      expect(reused.json.error.message).toMatch(/already used/);
      // The thief's and the owner's latest tokens of that session stop working…
      expect((await refresh(next.json.refresh_token)).status).toBe(401);
      expect((await me(next.json.access_token)).status).toBe(401);
      expect((await me(a.token)).status).toBe(401);
      expect((await auth.api.get(`/auth/verify/${next.json.access_token}`)).status).toBe(401);
      // …while the user's other session is untouched.
      expect((await me(other.json.access_token)).status).toBe(200);
      expect((await refresh(other.json.refresh_token)).status).toBe(200);
    });

    it('refuses unknown and malformed refresh tokens with 401/400', async () => {
      expect((await refresh(`rt_${randomBytes(32).toString('base64url')}`)).status).toBe(401);
      expect((await refresh('x'.repeat(257))).status).toBe(400);
      expect((await auth.api.post('/auth/refresh', { body: {} })).status).toBe(400);
    });

    it('an access token is not a refresh token', async () => {
      const a = await register(auth.api);
      expect((await refresh(a.token)).status).toBeGreaterThanOrEqual(400);
      expect((await refresh(a.token)).status).toBeLessThan(500);
    });
  });

  describe('logout', () => {
    it("answers 204 and ends that session's tokens, not the user's other sessions", async () => {
      const a = await register(auth.api);
      const other = await login(auth.api, a.username, a.password);
      const res = await auth.api.post('/auth/logout', { token: a.token });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await me(a.token)).status).toBe(401);
      expect((await auth.api.get(`/auth/verify/${a.token}`)).status).toBe(401);
      expect((await refresh(a.refreshToken)).status).toBe(401);
      expect((await auth.api.post('/auth/logout', { token: a.token })).status).toBe(401);
      expect((await me(other.json.access_token)).status).toBe(200);
    });
  });

  describe('me', () => {
    it('answers exactly {id, username}', async () => {
      const a = await register(auth.api);
      const res = await me(a.token);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: a.id, username: a.username });
    });
  });

  describe('verify/{token}', () => {
    it('answers the user for a live token, 401 for anything else, and never logs the token', async () => {
      const a = await register(auth.api);
      const ok = await auth.api.get(`/auth/verify/${a.token}`);
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({ id: a.id, username: a.username });
      const tampered = `${a.token.slice(0, -4)}AAAA`;
      expect((await auth.api.get(`/auth/verify/${tampered}`)).status).toBe(401);
      expect((await auth.api.get('/auth/verify/not-a-token')).status).toBe(401);
      expect((await auth.api.get(`/auth/verify/${'x'.repeat(5000)}`)).status).toBe(400);
      // The same token by every other road into the server.
      const input = encodeURIComponent(JSON.stringify({ token: a.token }));
      expect((await auth.api.get(`/trpc/auth.verify?input=${input}`)).status).toBe(200);
      expect((await auth.api.get(`/trpc/auth.verify?%69nput=${input}`)).status).toBe(200);
      expect((await auth.api.get(`/auth/verify/${a.token}/extra`)).status).toBe(404);
      expect((await auth.api.get(`/auth/verify/${a.token}?x=1`)).status).toBe(400);

      const signature = a.token.split('.')[2] as string;
      const log = await eventually(async () => {
        const text = auth.readLog();
        return text.includes(a.id) ? text : undefined; // "user registered" is written: the file is live
      });
      expect(log).not.toContain(signature);
      expect(log).not.toContain(a.refreshToken);
      expect(log).not.toContain(a.password);
    });
  });

  describe('prelogin', () => {
    type Prelogin = TPreloginResponse & ErrorJson;
    const prelogin = (username: string) => auth.api.post<Prelogin>('/auth/prelogin', { body: { username } });
    const KEYS = ['algorithm', 'iterations', 'memory_kib', 'parallelism', 'salt', 'version'];

    it('answers unknown users with the same shape, a stable salt per name', async () => {
      const ghost = uniqueUsername('Ghost');
      const first = await prelogin(ghost);
      expect(first.status).toBe(200);
      expect(Object.keys(first.json).sort()).toEqual(KEYS);
      // Version 2 (salt bound to the username) is what every current SDK account answers.
      expect(first.json).toMatchObject({ algorithm: 'argon2id', version: 2 });
      expect(Buffer.from(first.json.salt, 'base64')).toHaveLength(16);
      expect((await prelogin(ghost)).json).toEqual(first.json);
      expect((await prelogin(ghost.toLowerCase())).json).toEqual(first.json);
      expect((await prelogin(uniqueUsername('Ghost'))).json.salt).not.toBe(first.json.salt);
    });

    it('answers an account made without client KDF exactly like an unknown name would', async () => {
      const a = await register(auth.api);
      const known = await prelogin(a.username);
      const ghost = await prelogin(uniqueUsername());
      expect(Object.keys(known.json).sort()).toEqual(KEYS);
      const { salt: _s1, ...knownRest } = known.json;
      const { salt: _s2, ...ghostRest } = ghost.json;
      expect(knownRest).toEqual(ghostRest);
      expect((await prelogin(a.username)).json).toEqual(known.json);
    });

    it('returns the parameters an SDK registration stored', async () => {
      const client_kdf = {
        algorithm: 'argon2id' as const,
        salt: randomBytes(16).toString('base64'),
        memory_kib: 65_536,
        iterations: 3,
        parallelism: 1,
      };
      const username = uniqueUsername('Sdk');
      const reg = await auth.api.post('/auth/register', {
        body: { username, password: randomBytes(32).toString('base64url'), client_kdf },
      });
      expect(reg.status).toBe(201);
      expect((await prelogin(username)).json).toEqual({ ...client_kdf, version: 1 });
      expect((await prelogin(username.toUpperCase())).json).toEqual({ ...client_kdf, version: 1 });
    });

    it('returns the KDF version a current SDK registered, the same every unknown name answers', async () => {
      const client_kdf = {
        algorithm: 'argon2id' as const,
        salt: randomBytes(16).toString('base64'),
        memory_kib: 65_536,
        iterations: 3,
        parallelism: 1,
        version: 2 as const,
      };
      const username = uniqueUsername('Bound');
      const reg = await auth.api.post('/auth/register', {
        body: { username, password: randomBytes(32).toString('base64url'), client_kdf },
      });
      expect(reg.status).toBe(201);
      const known = (await prelogin(username)).json;
      expect(known).toEqual(client_kdf);
      const { salt: _s1, ...knownRest } = known;
      const { salt: _s2, ...ghostRest } = (await prelogin(uniqueUsername())).json;
      expect(ghostRest).toEqual(knownRest);
    });

    it('refuses weak or malformed client KDF parameters', async () => {
      const base = {
        algorithm: 'argon2id',
        salt: randomBytes(16).toString('base64'),
        iterations: 3,
        parallelism: 1,
      };
      for (const client_kdf of [
        { ...base, memory_kib: 1024 },
        { ...base, memory_kib: 65_536, algorithm: 'pbkdf2' },
        { ...base, memory_kib: 65_536, salt: randomBytes(17).toString('base64') },
        { ...base, memory_kib: 65_536, extra: 1 },
      ])
        expect(
          (
            await auth.api.post('/auth/register', {
              body: { username: uniqueUsername(), password: 'long enough', client_kdf },
            })
          ).status,
        ).toBe(400);
    });
  });

  describe('jwks', () => {
    it('publishes the public key that verifies issued tokens, and nothing private', async () => {
      const a = await register(auth.api);
      const res = await auth.api.get<{ keys: Array<Record<string, string>> }>('/auth/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.json.keys).toHaveLength(1);
      const key = res.json.keys[0] as Record<string, string>;
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key.d).toBeUndefined();
      expect(decodeProtectedHeader(a.token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid });
      const { payload } = await jwtVerify(a.token, createLocalJWKSet(res.json as never), {
        issuer: 'lockbox-auth',
        audience: 'lockbox',
        typ: 'at+jwt',
        algorithms: ['EdDSA'],
      });
      expect(payload).toMatchObject({ sub: a.id, name: a.username });
      expect(typeof payload.sid).toBe('string');
      expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    });
  });
});
