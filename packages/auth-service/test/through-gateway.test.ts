/**
 * Every Auth row of API.md through the real gateway and auth processes
 * (testkit's startStack), on each engine, talking only to the gateway like a
 * client; and the per-IP limits seen from behind the gateway: the gateway must
 * forward each client's own address, and a client's forwarding headers must not
 * count.
 */
import { randomBytes } from 'node:crypto';
import { keyBundleSigningBytes, type TSessionResponse } from '@lockbox/contracts';
import { type Client, client, enginesUnderTest, eventually, type Stack, startStack } from '@lockbox/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry, listBody, owner, signBody } from './helpers/devices';
import { type ErrorJson, uniqueUsername } from './helpers/users';

const FAILS = 3;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe.each(enginesUnderTest())('auth through the gateway on %s', (engine) => {
  let stack: Stack;
  let api: Client;
  beforeAll(async () => {
    stack = await startStack({
      engine,
      services: ['auth'],
      serviceEnv: { auth: { RL_LOGIN_FAILS_PER_ACCOUNT_IP: String(FAILS), RL_LOGIN_BLOCK_S: '2' } },
    });
    api = client(stack.gatewayUrl);
  });
  afterAll(() => stack?.stop());

  const signUp = async (from?: string) => {
    const username = uniqueUsername('gw');
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const res = await api.post<TSessionResponse>('/auth/register', {
      body: { username, password },
      ...(from ? { localAddress: from } : {}),
    });
    expect(res.status).toBe(201);
    return { ...res.json, username, password };
  };

  it('every Auth row of API.md answers as documented', async () => {
    const readme = await api.post<ErrorJson>('/auth/register', {
      body: '{"username":"test","password":"test123"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(readme.status).toBe(400);
    expect(readme.json.error.message).toMatch(/at least 8 characters/);

    const alice = await signUp();
    const bob = await signUp();
    expect(alice).toMatchObject({ token_type: 'bearer', expires_in: 900 });

    const login = await api.post<TSessionResponse>('/auth/login', {
      body: { username: alice.username, password: alice.password },
    });
    expect(login.status).toBe(200);

    const refreshed = await api.post<TSessionResponse>('/auth/refresh', {
      body: { refresh_token: login.json.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (await api.post('/auth/refresh', { body: { refresh_token: login.json.refresh_token } })).status,
    ).toBe(401);

    const token = alice.access_token;
    expect((await api.get('/auth/me', { token })).json).toEqual(alice.user);
    expect((await api.get(`/auth/verify/${token}`)).json).toEqual(alice.user);

    const prelogin = await api.post('/auth/prelogin', { body: { username: alice.username } });
    expect(prelogin.status).toBe(200);
    // No client_kdf (a curl account): answered like an unknown name, with KDF version 2 (salt bound to the name).
    expect(prelogin.json).toMatchObject({ algorithm: 'argon2id', version: 2 });

    const secret = ed25519.utils.randomSecretKey();
    const unsigned = {
      version: 2 as const,
      username: alice.username.toLowerCase(),
      identity_key: b64(ed25519.getPublicKey(secret)),
      x25519_key: b64(randomBytes(32)),
      mlkem768_key: b64(randomBytes(1184)),
      created_at: new Date().toISOString(),
    };
    const bundle = {
      ...unsigned,
      signature: b64(ed25519.sign(keyBundleSigningBytes(alice.user.id, unsigned), secret)),
    };
    expect((await api.post('/auth/keys', { token, body: bundle })).status).toBe(201);
    expect((await api.post('/auth/keys', { token, body: { ...bundle, user_id: bob.user.id } })).status).toBe(
      400,
    );
    const keys = await api.get(`/auth/keys/${alice.user.id}`, { token: bob.access_token });
    expect(keys.json).toMatchObject({ ...bundle, user_id: alice.user.id });

    expect((await api.get('/auth/vault', { token })).json).toEqual({
      vault: null,
      version: 0,
      updated_at: null,
    });
    expect(
      (await api.put('/auth/vault', { token, body: { vault: 'AAAA', expected_version: 0 } })).status,
    ).toBe(200);
    expect(
      (await api.put('/auth/vault', { token, body: { vault: 'BBBB', expected_version: 0 } })).status,
    ).toBe(409);

    const search = await api.get<Array<{ id: string }>>(`/users/search?q=${bob.username.slice(0, 8)}`, {
      token,
    });
    expect(search.status).toBe(200);
    expect(search.json.map((u) => u.id)).toContain(bob.user.id);

    const jwks = createRemoteJWKSet(new URL(`${stack.gatewayUrl}/auth/.well-known/jwks.json`));
    const { payload } = await jwtVerify(token, jwks, { issuer: 'lockbox-auth', audience: 'lockbox' });
    expect(payload.sub).toBe(alice.user.id);

    const logout = await api.post('/auth/logout', { token });
    expect(logout.status).toBe(204);
    expect((await api.get('/auth/me', { token })).status).toBe(401);
    expect((await api.get(`/auth/verify/${token}`)).status).toBe(401);
  });

  it('never shows internal procedures, whatever a client claims', async () => {
    const input = encodeURIComponent(JSON.stringify({ after: 0 }));
    const claims: Array<Record<string, string>> = [
      {},
      { 'x-lockbox-internal': 'guess' },
      { 'x-lockbox-gateway': 'guess' },
    ];
    for (const headers of claims) {
      const res = await api.get(`/trpc/internal.revocationsSince?input=${input}`, { headers });
      expect([401, 403, 404]).toContain(res.status);
    }
  });

  it('limits per client address: a blocked attacker does not block the owner elsewhere', async () => {
    const owner = await signUp('127.0.0.61');
    const attacker = '127.0.0.62';
    const guess = (i: number) =>
      api.post<ErrorJson>('/auth/login', {
        body: { username: owner.username, password: 'not-the-password' },
        localAddress: attacker,
        headers: { 'x-forwarded-for': `198.51.100.${i}`, 'x-lockbox-client-ip': `198.51.100.${i}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i <= FAILS; i++) statuses.push((await guess(i)).status);
    expect(statuses).toEqual([...Array(FAILS).fill(401), 429]);
    const blocked = await guess(99);
    expect(blocked.headers['retry-after']).toBeDefined();

    const elsewhere = await api.post('/auth/login', {
      body: { username: owner.username, password: owner.password },
      localAddress: '127.0.0.63',
    });
    expect(elsewhere.status).toBe(200);

    const later = await eventually(
      async () => {
        const r = await api.post('/auth/login', {
          body: { username: owner.username, password: owner.password },
          localAddress: attacker,
        });
        return r.status === 429 ? undefined : r;
      },
      15_000,
      250,
    );
    expect(later.status).toBe(200);
  });

  it('a 20 KB token is refused cleanly', async () => {
    // The service answers it 401 (jwt-attacks.test.ts); the gateway's header limit may answer 431 first.
    const res = await api.get<ErrorJson>('/auth/me', { token: 'x'.repeat(20 * 1024) });
    expect([401, 431]).toContain(res.status);
    expect(res.json.error.code).toMatch(/unauthorized|headers_too_large/);
  });

  it('devices, KeyPackages and the archive answer through the gateway, under /v1 and over tRPC', async () => {
    const o = await owner(api);
    const claimer = await owner(api);
    const d = entry('phone');
    const reg = await api.post<{ device: { current: boolean } }>('/v1/auth/devices', {
      token: o.token,
      body: { device_id: d.device_id, device_list: signBody(o.identity, listBody(o, 1, [d], true)) },
    });
    expect(reg.status).toBe(201);
    const kp = b64(randomBytes(64));
    const up = await api.post('/v1/auth/key-packages', {
      token: o.token,
      body: { device_id: d.device_id, key_packages: [kp] },
    });
    expect(up.status).toBe(201);
    const claimed = await api.post<{ key_packages: unknown[] }>('/v1/auth/key-packages/claim', {
      token: claimer.token,
      body: { user_id: o.id },
    });
    expect(claimed.json.key_packages).toEqual([
      { device_id: d.device_id, key_package: kp, last_resort: false },
    ]);
    const listed = await api.get<{ device_list: unknown }>(`/auth/devices/${o.id}`, { token: claimer.token });
    expect(listed.json.device_list).toEqual(signBody(o.identity, listBody(o, 1, [d], true)));
    const segment = { tag: b64(randomBytes(32)), blob: b64(randomBytes(16)) };
    expect((await api.post('/auth/archive', { token: o.token, body: { segments: [segment] } })).status).toBe(
      201,
    );
    const trpc = await api.get<{ result: { data: { segments: Array<{ tag: string }> } } }>(
      '/v1/trpc/archive.list',
      {
        token: o.token,
      },
    );
    expect(trpc.json.result.data.segments.map((x) => x.tag)).toEqual([segment.tag]);
    const mine = await api.get<{ result: { data: { devices: Array<{ current: boolean }> } } }>(
      '/trpc/devices.mine',
      { token: o.token },
    );
    expect(mine.json.result.data.devices).toEqual([expect.objectContaining({ current: true })]);
  });
});
