/**
 * Signed device lists (docs/SECURITY.md 10.12), in process, on each engine:
 * register, list, update and revoke with real Ed25519 signatures over a
 * published key bundle; every refused list leaves nothing stored.
 */
import { deviceListSigningBytes, newId, type TDeviceInfo, type TSignedDeviceList } from '@lockbox/contracts';
import { INTERNAL_HEADER } from '@lockbox/service-kit';
import { enginesUnderTest } from '@lockbox/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import {
  b64,
  decodeList,
  entry,
  listBody,
  newSession,
  type Owner,
  owner,
  type Res,
  registerDevice,
  signBody,
  updateList,
} from './helpers/devices';
import { login, register } from './helpers/users';

describe.each(enginesUnderTest())('device lists on %s', (engine) => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth(engine);
  });
  afterAll(() => auth?.close());

  const mine = (token: string) =>
    auth.api.get<Res<{ device_list: TSignedDeviceList | null; devices: TDeviceInfo[] }>>('/auth/devices', {
      token,
    });
  const internal = <T>(name: string, args: unknown) =>
    auth.api.get<{ result: { data: T } }>(
      `/trpc/internal.${name}?input=${encodeURIComponent(JSON.stringify(args))}`,
      { headers: { [INTERNAL_HEADER]: auth.internalToken } },
    );

  it('registers a first device: the list is stored byte for byte, readable by anyone signed in, and the session is bound', async () => {
    const o = await owner(auth.api);
    const bob = await owner(auth.api);
    const laptop = entry('laptop');
    const res = await registerDevice(auth.api, o, o.token, 1, [laptop], laptop.device_id);
    expect(res.status).toBe(201);
    expect(res.json.device).toMatchObject({ device_id: laptop.device_id, current: true });
    const signed = res.json.device_list;
    // A client verifies the exact bytes against the pinned key, then parses them.
    expect(
      ed25519.verify(
        Buffer.from(signed.signature, 'base64'),
        deviceListSigningBytes(Buffer.from(signed.body, 'base64')),
        ed25519.getPublicKey(o.identity),
      ),
    ).toBe(true);
    expect(decodeList(signed)).toEqual(listBody(o, 1, [laptop]));

    const own = await mine(o.token);
    expect(own.status).toBe(200);
    expect(own.json.device_list).toEqual(signed);
    expect(own.json.devices).toEqual([
      expect.objectContaining({ device_id: laptop.device_id, current: true }),
    ]);
    const seen = await auth.api.get<Res<{ device_list: TSignedDeviceList }>>(`/auth/devices/${o.id}`, {
      token: bob.token,
    });
    expect(seen.json.device_list).toEqual(signed);
    const none = await auth.api.get<Res<{ device_list: null }>>(`/auth/devices/${bob.id}`, {
      token: o.token,
    });
    expect(none.json).toEqual({ device_list: null });
    const active = await internal<{ active: boolean }>('deviceActive', {
      user_id: o.id,
      device_id: laptop.device_id,
    });
    expect(active.json.result.data).toEqual({ active: true });
    // Someone else's device id under my user id is not active.
    const foreign = await internal<{ active: boolean }>('deviceActive', {
      user_id: bob.id,
      device_id: laptop.device_id,
    });
    expect(foreign.json.result.data).toEqual({ active: false });
  });

  it('a second device registers from its own session; one session cannot register two devices (409)', async () => {
    const o = await owner(auth.api);
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    expect((await registerDevice(auth.api, o, o.token, 1, [a], a.device_id)).status).toBe(201);
    const second = await newSession(auth.api, o);
    expect((await registerDevice(auth.api, o, second, 2, [a, b], b.device_id)).status).toBe(201);
    const again = await registerDevice(auth.api, o, second, 3, [a, b, c], c.device_id);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('conflict');
    const own = await mine(o.token);
    expect(decodeList(own.json.device_list as TSignedDeviceList).version).toBe(2);
    expect(own.json.devices.map((d) => [d.device_id, d.current])).toEqual([
      [a.device_id, true],
      [b.device_id, false],
    ]);
  });

  it('refuses a stale or skipped version with 409 naming the current version, and stores nothing', async () => {
    const o = await owner(auth.api);
    const a = entry('a');
    expect((await registerDevice(auth.api, o, o.token, 1, [a], a.device_id)).status).toBe(201);
    const b = entry('b');
    const session = await newSession(auth.api, o);
    for (const version of [1, 3]) {
      const res = await registerDevice(auth.api, o, session, version, [a, b], b.device_id);
      expect(res.status).toBe(409);
      expect(res.json.error.message).toMatch(/current version is 1/);
    }
    const renamed = await updateList(auth.api, o, o.token, listBody(o, 1, [{ ...a, name: 'x' }]));
    expect(renamed.status).toBe(409);
    const own = await mine(o.token);
    expect(decodeList(own.json.device_list as TSignedDeviceList)).toEqual(listBody(o, 1, [a]));
    expect(own.json.devices).toHaveLength(1);
    // The refused session is still free to register.
    expect((await registerDevice(auth.api, o, session, 2, [a, b], b.device_id)).status).toBe(201);
  });

  it('refuses bad lists and stores nothing: bad signature, another key, wrong user, not previous + this device, malformed body', async () => {
    const o = await owner(auth.api);
    const other = await owner(auth.api);
    const a = entry('a');
    expect((await registerDevice(auth.api, o, o.token, 1, [a], a.device_id)).status).toBe(201);
    const session = await newSession(auth.api, o);
    const b = entry('b');
    const post = (device_list: TSignedDeviceList, deviceId = b.device_id) =>
      auth.api.post<Res<object>>('/auth/devices', {
        token: session,
        body: { device_id: deviceId, device_list },
      });
    const good = signBody(o.identity, listBody(o, 2, [a, b]));
    const flipped = Buffer.from(good.signature, 'base64');
    flipped[5] = (flipped[5] as number) ^ 1;
    const attempts: Array<[string, TSignedDeviceList, string?]> = [
      ['bad signature', { ...good, signature: b64(flipped) }],
      ['signed by another account key', signBody(other.identity, listBody(o, 2, [a, b]))],
      ['another user id', signBody(o.identity, listBody(other, 2, [a, b]))],
      ['device_id not in the list', signBody(o.identity, listBody(o, 2, [a, b])), newId('device')],
      ['an existing entry removed', signBody(o.identity, listBody(o, 2, [b]))],
      ['an existing entry changed', signBody(o.identity, listBody(o, 2, [{ ...a, name: 'renamed' }, b]))],
      ['two devices added', signBody(o.identity, listBody(o, 2, [a, b, entry('c')]))],
      ['archive flipped in a register', signBody(o.identity, listBody(o, 2, [a, b], true))],
      ['duplicate device ids', signBody(o.identity, listBody(o, 2, [a, b, b]))],
      ['unknown field', signBody(o.identity, { ...listBody(o, 2, [a, b]), extra: 1 })],
      [
        'not JSON',
        {
          body: b64(Buffer.from('not json')),
          signature: b64(ed25519.sign(deviceListSigningBytes(Buffer.from('not json')), o.identity)),
        },
      ],
    ];
    for (const [what, list, deviceId] of attempts) {
      const res = await post(list, deviceId);
      expect(res.status, what).toBe(400);
      expect(res.json.error.code, what).toBe('invalid_input');
    }
    // The signature covers the label: the body alone signed is refused.
    const bodyBytes = Buffer.from(good.body, 'base64');
    expect(
      (await post({ body: good.body, signature: b64(ed25519.sign(bodyBytes, o.identity)) })).status,
    ).toBe(400);
    const own = await mine(o.token);
    expect(decodeList(own.json.device_list as TSignedDeviceList)).toEqual(listBody(o, 1, [a]));
    expect(own.json.devices.map((d) => d.device_id)).toEqual([a.device_id]);
    expect((await post(good)).status).toBe(201);
  });

  it('refuses a device list before the account published keys (409)', async () => {
    const plain = await register(auth.api);
    const a = entry('a');
    const res = await auth.api.post<Res<object>>('/auth/devices', {
      token: plain.token,
      body: {
        device_id: a.device_id,
        device_list: signBody(ed25519.utils.randomSecretKey(), listBody(plain, 1, [a])),
      },
    });
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/key bundle/);
  });

  describe('update and revocation', () => {
    let o: Owner;
    const a = entry('phone');
    const b = entry('laptop');
    let bSession: { access_token: string; refresh_token: string };
    beforeAll(async () => {
      o = await owner(auth.api);
      expect((await registerDevice(auth.api, o, o.token, 1, [a], a.device_id)).status).toBe(201);
      const res = await login(auth.api, o.username, o.password);
      bSession = res.json;
      expect((await registerDevice(auth.api, o, bSession.access_token, 2, [a, b], b.device_id)).status).toBe(
        201,
      );
      const kp = await auth.api.post('/auth/key-packages', {
        token: bSession.access_token,
        body: { device_id: b.device_id, key_packages: [b64(Buffer.from('kp-of-b'))] },
      });
      expect(kp.status).toBe(201);
    });

    it('refuses an update that adds a device or changes a key, and stores nothing', async () => {
      const c = entry('c');
      for (const body of [
        listBody(o, 3, [a, b, c]),
        listBody(o, 3, [a, { ...b, signature_key: entry().signature_key }]),
        listBody(o, 3, [a, { ...b, added_at: new Date(0).toISOString() }]),
      ]) {
        const res = await updateList(auth.api, o, o.token, body);
        expect(res.status).toBe(400);
      }
      expect(decodeList((await mine(o.token)).json.device_list as TSignedDeviceList).version).toBe(2);
    });

    it('removing a device revokes it in one step: its session gets 401, refresh fails, the revocation feed names it, its KeyPackages and id are gone for good', async () => {
      const res = await updateList(auth.api, o, o.token, listBody(o, 3, [{ ...a, name: 'my phone' }]));
      expect(res.status).toBe(200);
      expect(decodeList(res.json.device_list).devices).toEqual([{ ...a, name: 'my phone' }]);

      expect((await auth.api.get('/auth/me', { token: bSession.access_token })).status).toBe(401);
      const refreshed = await auth.api.post('/auth/refresh', {
        body: { refresh_token: bSession.refresh_token },
      });
      expect(refreshed.status).toBe(401);
      const feed = await internal<{ revoked: Array<{ session_id: string; user_id: string }> }>(
        'revocationsSince',
        { after: 0 },
      );
      expect(feed.json.result.data.revoked.filter((r) => r.user_id === o.id)).toHaveLength(1);
      const active = await internal<{ active: boolean }>('deviceActive', {
        user_id: o.id,
        device_id: b.device_id,
      });
      expect(active.json.result.data.active).toBe(false);
      // The device's KeyPackages are deleted, not just hidden.
      const rows = await auth.running.kit.db.query(
        'SELECT 1 FROM lockbox_auth.key_packages WHERE device_id = $1',
        [b.device_id],
      );
      expect(rows).toEqual([]);
      // The caller's own device keeps working.
      expect((await auth.api.get('/auth/me', { token: o.token })).status).toBe(200);
      const own = await mine(o.token);
      expect(own.json.devices.map((d) => d.device_id)).toEqual([a.device_id]);

      // A removed device id can never come back, from any session.
      const fresh = await newSession(auth.api, o);
      const back = await registerDevice(auth.api, o, fresh, 4, [{ ...a, name: 'my phone' }, b], b.device_id);
      expect(back.status).toBe(409);
      expect(back.json.error.message).toMatch(/never be registered again/);
      expect(decodeList((await mine(o.token)).json.device_list as TSignedDeviceList).version).toBe(3);
    });

    it("a re-login on a listed device binds the new session without adding anything; another account's device id is refused", async () => {
      const listed = { ...a, name: 'my phone' };
      const fresh = await newSession(auth.api, o);
      const res = await registerDevice(auth.api, o, fresh, 4, [listed], a.device_id);
      expect(res.status).toBe(201);
      expect(res.json.device.current).toBe(true);
      const stranger = await owner(auth.api);
      const s = entry('stolen id', a.device_id);
      const stolen = await registerDevice(auth.api, stranger, stranger.token, 1, [s], a.device_id);
      expect(stolen.status).toBe(409);
      expect((await mine(stranger.token)).json.device_list).toBeNull();
    });

    it('last_seen_at moves on a request from a bound session, at most once a minute', async () => {
      await auth.running.kit.db.query(
        `UPDATE lockbox_auth.devices SET last_seen_at = now() - interval '1 hour' WHERE id = $1`,
        [a.device_id],
      );
      const before = Date.now() - 30 * 60_000;
      const first = (await mine(o.token)).json.devices.find((d) => d.device_id === a.device_id);
      // The request that noticed the stale time moved it (it reads after its own write).
      expect(Date.parse(first?.last_seen_at ?? '')).toBeGreaterThan(before);
      const [row] = await auth.running.kit.db.query<{ t: Date }>(
        'SELECT last_seen_at AS t FROM lockbox_auth.devices WHERE id = $1',
        [a.device_id],
      );
      await mine(o.token);
      const [again] = await auth.running.kit.db.query<{ t: Date }>(
        'SELECT last_seen_at AS t FROM lockbox_auth.devices WHERE id = $1',
        [a.device_id],
      );
      expect(new Date(again?.t as Date).getTime()).toBe(new Date(row?.t as Date).getTime());
    });
  });

  it("revoking a device also ends every session not bound to a still-listed device (a re-login of the revoked one), never the caller's", async () => {
    const o = await owner(auth.api);
    const a = entry('laptop');
    const b = entry('phone');
    expect((await registerDevice(auth.api, o, o.token, 1, [a], a.device_id)).status).toBe(201);
    const bBound = await newSession(auth.api, o);
    expect((await registerDevice(auth.api, o, bBound, 2, [a, b], b.device_id)).status).toBe(201);
    const aOther = await newSession(auth.api, o);
    expect((await registerDevice(auth.api, o, aOther, 3, [a, b], a.device_id)).status).toBe(201);
    // The phone signs in again; that session is not bound to any device yet.
    const bRelogin = await newSession(auth.api, o);
    expect((await auth.api.get('/auth/me', { token: bRelogin })).status).toBe(200);
    expect((await updateList(auth.api, o, o.token, listBody(o, 4, [a]))).status).toBe(200);
    expect((await auth.api.get('/auth/me', { token: bBound })).status).toBe(401);
    expect((await auth.api.get('/auth/me', { token: bRelogin })).status).toBe(401);
    expect((await auth.api.get('/auth/archive', { token: bRelogin })).status).toBe(401);
    // Sessions bound to the device still listed, and the caller's own, keep working.
    expect((await auth.api.get('/auth/me', { token: aOther })).status).toBe(200);
    expect((await auth.api.get('/auth/me', { token: o.token })).status).toBe(200);
  });
});
