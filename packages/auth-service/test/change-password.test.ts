/** POST /auth/password: checks the current password, swaps hash + KDF + vault atomically, ends other sessions. */
import { randomBytes } from 'node:crypto';
import type { TPreloginResponse, TSessionResponse, TVault } from '@lockbox/contracts';
import { enginesUnderTest } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type ErrorJson, login, register, uniqueUsername } from './helpers/users';

const kdf = () => ({
  algorithm: 'argon2id' as const,
  salt: randomBytes(16).toString('base64'),
  memory_kib: 65_536,
  iterations: 3,
  parallelism: 1,
});
const blob = () => randomBytes(48).toString('base64');

describe.each(enginesUnderTest())('change password on %s', (engine) => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth(engine);
  });
  afterAll(() => auth?.close());

  const change = (token: string, body: unknown) =>
    auth.api.post<ErrorJson>('/auth/password', { token, body });

  it('refuses a wrong current password and changes nothing', async () => {
    const a = await register(auth.api);
    const res = await change(a.token, { current_password: 'not-it-at-all', new_password: 'new-password-1' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_credentials');
    expect((await login(auth.api, a.username, a.password)).status).toBe(200);
  });

  it('swaps the password and ends the other sessions, keeping the caller’s', async () => {
    const a = await register(auth.api);
    const other = (await login(auth.api, a.username, a.password)).json as TSessionResponse;
    const res = await change(a.token, { current_password: a.password, new_password: 'brand-new-password' });
    expect(res.status).toBe(204);
    expect((await login(auth.api, a.username, a.password)).status).toBe(401);
    expect((await login(auth.api, a.username, 'brand-new-password')).status).toBe(200);
    expect((await auth.api.get('/auth/me', { token: a.token })).status).toBe(200);
    expect((await auth.api.get('/auth/me', { token: other.access_token })).status).toBe(401);
    const refreshed = await auth.api.post('/auth/refresh', { body: { refresh_token: other.refresh_token } });
    expect(refreshed.status).toBe(401);
  });

  it('an SDK account changes login secret, KDF parameters and vault together', async () => {
    const username = uniqueUsername();
    const first = kdf();
    const reg = await auth.api.post<TSessionResponse>('/auth/register', {
      body: { username, password: 'login-secret-one', client_kdf: first },
    });
    const token = reg.json.access_token;
    await auth.api.put('/auth/vault', { token, body: { vault: blob(), expected_version: 0 } });

    const missingKdf = await change(token, {
      current_password: 'login-secret-one',
      new_password: 'login-secret-two',
    });
    expect(missingKdf.status).toBe(400);

    const second = kdf();
    const newVault = blob();
    // A stale vault version rolls the whole change back.
    const stale = await change(token, {
      current_password: 'login-secret-one',
      new_password: 'login-secret-two',
      client_kdf: second,
      vault: newVault,
      expected_vault_version: 0,
    });
    expect(stale.status).toBe(409);
    expect((await login(auth.api, username, 'login-secret-one')).status).toBe(200);
    const before = await auth.api.post<TPreloginResponse>('/auth/prelogin', { body: { username } });
    expect(before.json.salt).toBe(first.salt);

    const ok = await change(token, {
      current_password: 'login-secret-one',
      new_password: 'login-secret-two',
      client_kdf: second,
      vault: newVault,
      expected_vault_version: 1,
    });
    expect(ok.status).toBe(204);
    expect((await login(auth.api, username, 'login-secret-two')).status).toBe(200);
    const after = await auth.api.post<TPreloginResponse>('/auth/prelogin', { body: { username } });
    expect(after.json).toEqual({ ...second, version: 1 });
    const vault = await auth.api.get<TVault>('/auth/vault', { token });
    expect(vault.json).toMatchObject({ vault: newVault, version: 2 });
  });

  it('migrates a version-1 (server salt) account to version 2 (bound salt), which prelogin then answers', async () => {
    const username = uniqueUsername('Legacy');
    const legacy = kdf();
    const reg = await auth.api.post<TSessionResponse>('/auth/register', {
      body: { username, password: 'legacy-login-secret', client_kdf: legacy },
    });
    expect(reg.status).toBe(201);
    const pre = () => auth.api.post<TPreloginResponse>('/auth/prelogin', { body: { username } });
    expect((await pre()).json).toEqual({ ...legacy, version: 1 });
    const bound = { ...kdf(), version: 2 as const };
    const res = await change(reg.json.access_token, {
      current_password: 'legacy-login-secret',
      new_password: 'bound-login-secret',
      client_kdf: bound,
      vault: blob(),
      expected_vault_version: 0,
    });
    expect(res.status).toBe(204);
    expect((await pre()).json).toEqual(bound);
    expect((await login(auth.api, username, 'bound-login-secret')).status).toBe(200);
  });

  it('a curl account can be upgraded: it gains KDF parameters and a first vault', async () => {
    const a = await register(auth.api);
    const params = kdf();
    const res = await change(a.token, {
      current_password: a.password,
      new_password: 'derived-login-secret',
      client_kdf: params,
      vault: blob(),
      expected_vault_version: 0,
    });
    expect(res.status).toBe(204);
    const pre = await auth.api.post<TPreloginResponse>('/auth/prelogin', { body: { username: a.username } });
    expect(pre.json.salt).toBe(params.salt);
    expect((await auth.api.get<TVault>('/auth/vault', { token: a.token })).json.version).toBe(1);
  });

  it('needs a session', async () => {
    const res = await auth.api.post<ErrorJson>('/auth/password', {
      body: { current_password: 'x', new_password: 'yyyyyyyy' },
    });
    expect(res.status).toBe(401);
  });
});
