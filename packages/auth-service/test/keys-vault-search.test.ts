/** The key directory, the vault and user search, in process, on each engine. */
import { randomBytes } from 'node:crypto';
import {
  keyBundleSigningBytes,
  type TKeyBundle,
  type TPublishedKeyBundle,
  type TVault,
} from '@lockbox/contracts';
import { enginesUnderTest } from '@lockbox/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type Account, type ErrorJson, register } from './helpers/users';

const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64');

/** A bundle as the SDK makes it: identity key signs the fields plus the owner's id and (v2) username. */
const makeBundle = (
  owner: { id: string; username: string },
  opts: {
    signFor?: { id: string; username: string };
    sizes?: Partial<Record<'identity' | 'x25519' | 'mlkem', number>>;
    version?: 1 | 2;
    createdAt?: string;
  } = {},
) => {
  const secret = ed25519.utils.randomSecretKey();
  const identity = ed25519.getPublicKey(secret);
  const signer = opts.signFor ?? owner;
  const fields = {
    identity_key: opts.sizes?.identity ? b64(randomBytes(opts.sizes.identity)) : b64(identity),
    x25519_key: b64(randomBytes(opts.sizes?.x25519 ?? 32)),
    mlkem768_key: b64(randomBytes(opts.sizes?.mlkem ?? 1184)),
    created_at: opts.createdAt ?? new Date().toISOString(),
  };
  const unsigned =
    opts.version === 1
      ? { version: 1 as const, ...fields }
      : { version: 2 as const, username: signer.username.toLowerCase(), ...fields };
  const signature = b64(ed25519.sign(keyBundleSigningBytes(signer.id, unsigned), secret));
  return { bundle: { ...unsigned, signature } as TKeyBundle, secret };
};

/**
 * A bundle whose identity key is the identity point (small order) and whose
 * signature (R = B, S = 1) satisfies the cofactored ZIP-215 equation for ANY
 * message, so lenient verification accepts it; RFC 8032 strict (zip215: false)
 * refuses small-order keys.
 */
const smallOrderBundle = (owner: { id: string; username: string }): TKeyBundle => {
  const identityPoint = new Uint8Array(32);
  identityPoint[0] = 1;
  const scalarOne = new Uint8Array(32);
  scalarOne[0] = 1;
  const signature = new Uint8Array([...ed25519.Point.BASE.toBytes(), ...scalarOne]);
  return {
    version: 2,
    username: owner.username.toLowerCase(),
    identity_key: b64(identityPoint),
    x25519_key: b64(randomBytes(32)),
    mlkem768_key: b64(randomBytes(1184)),
    created_at: new Date().toISOString(),
    signature: b64(signature),
  };
};

describe.each(enginesUnderTest())('keys, vault, search on %s', (engine) => {
  let auth: TestAuth;
  let alice: Account;
  let bob: Account;
  beforeAll(async () => {
    auth = await startAuth(engine);
    [alice, bob] = await Promise.all([register(auth.api), register(auth.api)]);
  });
  afterAll(() => auth?.close());

  describe('keys', () => {
    const publish = (token: string, body: unknown) =>
      auth.api.post<TPublishedKeyBundle & ErrorJson>('/auth/keys', { token, body });

    it('accepts a bundle its identity key signed for the caller; anyone signed in can fetch it', async () => {
      const { bundle } = makeBundle(alice);
      const res = await publish(alice.token, bundle);
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ ...bundle, user_id: alice.id });
      expect(Number.isNaN(Date.parse(res.json.published_at))).toBe(false);
      const fetched = await auth.api.get<TPublishedKeyBundle>(`/auth/keys/${alice.id}`, { token: bob.token });
      expect(fetched.status).toBe(200);
      expect(fetched.json).toEqual(res.json);
    });

    it('replaces the bundle on a new publish', async () => {
      const first = makeBundle(bob).bundle;
      const second = makeBundle(bob).bundle;
      expect((await publish(bob.token, first)).status).toBe(201);
      expect((await publish(bob.token, second)).status).toBe(201);
      const fetched = await auth.api.get<TPublishedKeyBundle>(`/auth/keys/${bob.id}`, { token: alice.token });
      expect(fetched.json.identity_key).toBe(second.identity_key);
    });

    it('refuses a bad signature', async () => {
      const { bundle } = makeBundle(alice);
      const sig = Buffer.from(bundle.signature, 'base64');
      sig[0] = (sig[0] as number) ^ 1;
      const res = await publish(alice.token, { ...bundle, signature: b64(sig) });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/signature/);
    });

    it('refuses a bundle signed for another account (no replay under my name)', async () => {
      const { bundle } = makeBundle(alice, { signFor: bob });
      expect((await publish(alice.token, bundle)).status).toBe(400);
      const bobs = makeBundle(bob).bundle; // valid for bob, replayed by alice
      expect((await publish(alice.token, bobs)).status).toBe(400);
    });

    it("accepts only version 2 for the caller's own username: a v1 publish or another name is 400", async () => {
      const legacy = await publish(alice.token, makeBundle(alice, { version: 1 }).bundle);
      expect(legacy.status).toBe(400);
      expect(legacy.json.error.message).toMatch(/version 1 is read-only/);
      // Validly signed by alice's key for alice's id, but naming bob: the directory refuses it.
      const named = await publish(
        alice.token,
        makeBundle(alice, { signFor: { id: alice.id, username: bob.username } }).bundle,
      );
      expect(named.status).toBe(400);
      expect(named.json.error.message).toMatch(/username/);
    });

    it('checks version and created_at before the signature: unknown version, far future, before the epoch', async () => {
      const { bundle } = makeBundle(alice);
      expect((await publish(alice.token, { ...bundle, version: 3 })).status).toBe(400);
      const future = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
      const late = await publish(alice.token, makeBundle(alice, { createdAt: future }).bundle);
      expect(late.status).toBe(400);
      expect(late.json.error.message).toMatch(/future/);
      const early = await publish(
        alice.token,
        makeBundle(alice, { createdAt: '2001-01-01T00:00:00.000Z' }).bundle,
      );
      expect(early.status).toBe(400);
    });

    it('verifies strictly (RFC 8032, no ZIP-215 leniency): a small-order key whose signature fits any message is 400', async () => {
      const bundle = smallOrderBundle(alice);
      // The forgery is real: lenient verification accepts it.
      const { signature, ...unsigned } = bundle;
      expect(
        ed25519.verify(
          Buffer.from(signature, 'base64'),
          keyBundleSigningBytes(alice.id, unsigned),
          Buffer.from(bundle.identity_key, 'base64'),
          { zip215: true },
        ),
      ).toBe(true);
      const res = await publish(alice.token, bundle);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(/signature/);
    });

    it('refuses a bundle whose fields were changed after signing', async () => {
      const { bundle } = makeBundle(alice);
      expect((await publish(alice.token, { ...bundle, x25519_key: b64(randomBytes(32)) })).status).toBe(400);
      expect((await publish(alice.token, { ...bundle, created_at: new Date(0).toISOString() })).status).toBe(
        400,
      );
    });

    it.each([
      ['identity', 31],
      ['identity', 33],
      ['x25519', 31],
      ['x25519', 33],
      ['mlkem', 1183],
      ['mlkem', 1185],
    ] as const)('refuses a %s key of %i bytes, even correctly signed', async (which, size) => {
      const { bundle } = makeBundle(alice, { sizes: { [which]: size } });
      const res = await publish(alice.token, bundle);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
    });

    it('takes identity from the token only: a user_id in the body is refused', async () => {
      const { bundle } = makeBundle(alice);
      for (const user_id of [alice.id, bob.id]) {
        const res = await publish(alice.token, { ...bundle, user_id });
        expect(res.status).toBe(400);
      }
      const { bundle: forBob } = makeBundle(bob);
      expect((await publish(alice.token, { ...forBob, user_id: bob.id })).status).toBe(400);
      const stillBobs = await auth.api.get<TPublishedKeyBundle>(`/auth/keys/${bob.id}`, { token: bob.token });
      expect(stillBobs.json.identity_key).not.toBe(forBob.identity_key);
    });

    it('answers 404 for a user with no keys and 400 for a path that is not a user id', async () => {
      const carol = await register(auth.api);
      expect((await auth.api.get(`/auth/keys/${carol.id}`, { token: alice.token })).status).toBe(404);
      expect(
        (await auth.api.get('/auth/keys/usr_0123456789abcdefghjkmnpqrs', { token: alice.token })).status,
      ).toBe(404);
      for (const bad of [
        '123',
        'ses_0123456789abcdefghjkmnpqrs',
        '..',
        '%2e%2e',
        'usr_%00',
        "usr_'%20OR%201=1",
      ])
        expect([400, 404]).toContain(
          (await auth.api.get(`/auth/keys/${bad}`, { token: alice.token })).status,
        );
      expect((await auth.api.get('/auth/keys/..%2Fvault', { token: alice.token })).status).toBe(404);
    });
  });

  describe('vault', () => {
    const getVault = (token: string) => auth.api.get<TVault & ErrorJson>('/auth/vault', { token });
    const putVault = (token: string, body: unknown) =>
      auth.api.put<TVault & ErrorJson>('/auth/vault', { token, body });

    it('starts empty, stores opaque base64, versions every write', async () => {
      const a = await register(auth.api);
      expect((await getVault(a.token)).json).toEqual({ vault: null, version: 0, updated_at: null });
      const blob = b64(randomBytes(300));
      const first = await putVault(a.token, { vault: blob });
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ vault: blob, version: 1 });
      expect((await getVault(a.token)).json).toEqual(first.json);
      const second = await putVault(a.token, { vault: b64(randomBytes(10)), expected_version: 1 });
      expect(second.json.version).toBe(2);
    });

    it('refuses a stale write with 409 and keeps the newer vault', async () => {
      const a = await register(auth.api);
      await putVault(a.token, { vault: 'AAAA' });
      await putVault(a.token, { vault: 'BBBB', expected_version: 1 });
      const stale = await putVault(a.token, { vault: 'CCCC', expected_version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.json.error.code).toBe('conflict');
      expect((await getVault(a.token)).json).toMatchObject({ vault: 'BBBB', version: 2 });
      const creating = await putVault((await register(auth.api)).token, {
        vault: 'DDDD',
        expected_version: 0,
      });
      expect(creating.json.version).toBe(1);
      expect((await putVault(a.token, { vault: 'EEEE', expected_version: 0 })).status).toBe(409);
      expect((await putVault(a.token, { vault: 'FFFF' })).json.version).toBe(3); // no expectation: last write wins
    });

    it('refuses to create a vault for a writer that expects an existing version', async () => {
      const a = await register(auth.api);
      const res = await putVault(a.token, { vault: 'AAAA', expected_version: 3 });
      expect(res.status).toBe(409);
      expect((await getVault(a.token)).json).toEqual({ vault: null, version: 0, updated_at: null });
    });

    it('lets exactly one of two racing writers with the same expectation win', async () => {
      const a = await register(auth.api);
      const first = await Promise.all([
        putVault(a.token, { vault: 'AAAA', expected_version: 0 }),
        putVault(a.token, { vault: 'BBBB', expected_version: 0 }),
      ]);
      expect(first.map((r) => r.status).sort()).toEqual([200, 409]);
      const next = await Promise.all([
        putVault(a.token, { vault: 'CCCC', expected_version: 1 }),
        putVault(a.token, { vault: 'DDDD', expected_version: 1 }),
      ]);
      expect(next.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await getVault(a.token)).json.version).toBe(2);
    });

    it("is the caller's own: another user cannot read or address it", async () => {
      const a = await register(auth.api);
      const b = await register(auth.api);
      await putVault(a.token, { vault: 'c2VjcmV0' });
      expect((await getVault(b.token)).json).toEqual({ vault: null, version: 0, updated_at: null });
      expect((await auth.api.get(`/auth/vault?user_id=${a.id}`, { token: b.token })).status).toBe(400);
      expect((await putVault(b.token, { vault: 'AAAA', user_id: a.id })).status).toBe(400);
      expect((await getVault(a.token)).json.vault).toBe('c2VjcmV0');
      expect((await getVault('')).status).toBe(401);
    });

    it('refuses what is not bounded base64', async () => {
      const a = await register(auth.api);
      expect((await putVault(a.token, { vault: 'not base64!' })).status).toBe(400);
      expect((await putVault(a.token, { vault: 'A'.repeat(256 * 1024 + 4) })).status).toBe(400);
      expect((await putVault(a.token, { vault: 'AAAA', expected_version: -1 })).status).toBe(400);
      expect((await putVault(a.token, { vault: 'AAAA', expected_version: 1.5 })).status).toBe(400);
      expect((await putVault(a.token, { vault: 'AAAA', expected_version: 1e300 })).status).toBe(400);
    });
  });

  describe('users/search', () => {
    type Found = Array<{ id: string; username: string }>;
    // A prefix no other test shares; names sort (lowercased) in this order.
    const p = `s${randomBytes(4).toString('hex')}`;
    const names = [`${p}_Alpha`, `${p}_beta`, `${p}_Delta`, `${p}_gamma`, `${p}xray`];
    let users: Account[];
    let caller: Account;
    beforeAll(async () => {
      users = await Promise.all(names.map((username) => register(auth.api, { username })));
      caller = users[1] as Account;
    });
    const search = (query: string, token = caller.token) =>
      auth.api.get<Found & ErrorJson>(`/users/search?${query}`, { token });

    it('finds by prefix, case-insensitively, sorted, without the caller', async () => {
      const res = await search(`q=${p.toUpperCase()}`);
      expect(res.status).toBe(200);
      expect(res.json.map((u) => u.username)).toEqual([`${p}_Alpha`, `${p}_Delta`, `${p}_gamma`, `${p}xray`]);
      expect(res.json.find((u) => u.id === caller.id)).toBeUndefined();
    });

    it('answers only id and username, never a hash', async () => {
      const res = await search(`q=${p}`);
      for (const u of res.json) expect(Object.keys(u).sort()).toEqual(['id', 'username']);
      expect(res.text).not.toMatch(/argon2|password|\$v=19/);
    });

    it('treats _ and % literally', async () => {
      expect((await search(`q=${p}_`)).json.map((u) => u.username)).toEqual([
        `${p}_Alpha`,
        `${p}_Delta`,
        `${p}_gamma`,
      ]);
      expect((await search(`q=${encodeURIComponent(`${p}%`)}`)).json).toEqual([]);
      expect((await search(`q=${p.slice(0, -1)}_`)).json).toEqual([]);
      expect((await search(`q=${encodeURIComponent(`${p}\\`)}`)).json).toEqual([]);
    });

    it('pages with limit and after', async () => {
      const page1 = await search(`q=${p}&limit=2`);
      expect(page1.json.map((u) => u.username)).toEqual([`${p}_Alpha`, `${p}_Delta`]);
      const last = page1.json[1]?.username as string;
      const page2 = await search(`q=${p}&limit=2&after=${last}`);
      expect(page2.json.map((u) => u.username)).toEqual([`${p}_gamma`, `${p}xray`]);
      const page3 = await search(`q=${p}&limit=2&after=${page2.json[1]?.username}`);
      expect(page3.json).toEqual([]);
      expect((await search(`q=${p}&after=${last.toUpperCase()}`)).json.map((u) => u.username)).toEqual([
        `${p}_gamma`,
        `${p}xray`,
      ]);
    });

    it('bounds limit and q', async () => {
      for (const bad of ['limit=0', 'limit=51', 'limit=-1', 'limit=abc', 'limit=1.5'])
        expect((await search(`q=${p}&${bad}`)).status).toBe(400);
      expect((await search(`q=${p}&limit=50`)).status).toBe(200);
      expect((await search('q=')).status).toBe(400);
      expect((await search(`q=${'a'.repeat(33)}`)).status).toBe(400);
      expect((await search('limit=5')).status).toBe(400);
      expect((await search(`q=${p}&q=x`)).status).toBe(400);
    });

    it('needs a token', async () => {
      expect((await auth.api.get(`/users/search?q=${p}`)).status).toBe(401);
    });
  });
});
