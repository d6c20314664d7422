/**
 * KeyPackage pools (docs/SECURITY.md 10.12), in process, on each engine:
 * upload only for the session's own device, dedupe by hash (also after a
 * claim), the pool cap, the rate limit, and exactly-once claims under
 * concurrency: on Postgres across two auth instances on one database.
 */
import { randomBytes } from 'node:crypto';
import type { TClaimKeyPackagesResponse, TKeyPackageCount } from '@lockbox/contracts';
import { enginesUnderTest } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { b64, entry, newSession, type Owner, owner, type Res, registerDevice } from './helpers/devices';
import { register } from './helpers/users';

const CLAIMS_PER_MIN = 25;
const kp = () => b64(randomBytes(200));

describe.each(enginesUnderTest())('KeyPackages on %s', (engine) => {
  let auth: TestAuth;
  /** A second instance on the same Postgres database (PGlite: the same instance). */
  let auth2: TestAuth;
  beforeAll(async () => {
    const env = { RL_KEY_PACKAGE_CLAIMS_PER_MIN: String(CLAIMS_PER_MIN) };
    auth = await startAuth(engine, env);
    auth2 = engine === 'postgres' ? await startAuth(engine, env, auth.databaseUrl) : auth;
  });
  afterAll(async () => {
    if (auth2 !== auth) await auth2?.close();
    await auth?.close();
  });

  /** An account with one device registered from its first session. */
  const withDevice = async (): Promise<Owner & { deviceId: string }> => {
    const o = await owner(auth.api);
    const d = entry('phone');
    expect((await registerDevice(auth.api, o, o.token, 1, [d], d.device_id)).status).toBe(201);
    return { ...o, deviceId: d.device_id };
  };
  const upload = (token: string, body: unknown) =>
    auth.api.post<Res<TKeyPackageCount>>('/auth/key-packages', { token, body });
  const claim = (api: TestAuth['api'], token: string, userId: string) =>
    api.post<Res<TClaimKeyPackagesResponse>>('/auth/key-packages/claim', {
      token,
      body: { user_id: userId },
    });

  it('uploads for the session device, dedupes by hash, replaces the last resort, and counts', async () => {
    const o = await withDevice();
    const [k1, k2, lr1, lr2] = [kp(), kp(), kp(), kp()];
    const first = await upload(o.token, {
      device_id: o.deviceId,
      key_packages: [k1, k2, k1],
      last_resort: lr1,
    });
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ available: 2, has_last_resort: true });
    const again = await upload(o.token, { device_id: o.deviceId, key_packages: [k1, k2], last_resort: lr2 });
    expect(again.json).toEqual({ available: 2, has_last_resort: true });
    const count = await auth.api.get<Res<TKeyPackageCount>>('/auth/key-packages/count', { token: o.token });
    expect(count.json).toEqual({ available: 2, has_last_resort: true });

    const claimer = await register(auth.api);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await claim(auth.api, claimer.token, o.id)).json.key_packages);
    expect(got.map((g) => g.map((k) => [k.key_package, k.last_resort]))).toEqual([
      [[k1, false]],
      [[k2, false]],
      [[lr2, true]],
    ]);
    // Re-uploading a claimed KeyPackage must not put it back in the pool.
    const reupload = await upload(o.token, { device_id: o.deviceId, key_packages: [k1, k2] });
    expect(reupload.json).toEqual({ available: 0, has_last_resort: true });
    expect((await claim(auth.api, claimer.token, o.id)).json.key_packages).toEqual([
      { device_id: o.deviceId, key_package: lr2, last_resort: true },
    ]);
  });

  it("refuses another device's id (403), a session without a device (403), and a pool over the cap (413, nothing stored)", async () => {
    const o = await withDevice();
    const other = await withDevice();
    const foreign = await upload(o.token, { device_id: other.deviceId, key_packages: [kp()] });
    expect(foreign.status).toBe(403);
    const unbound = await newSession(auth.api, o);
    expect((await upload(unbound, { device_id: o.deviceId, key_packages: [kp()] })).status).toBe(403);
    expect((await auth.api.get('/auth/key-packages/count', { token: unbound })).status).toBe(403);
    const hundred = () => Array.from({ length: 100 }, kp);
    expect((await upload(o.token, { device_id: o.deviceId, key_packages: hundred() })).status).toBe(201);
    expect((await upload(o.token, { device_id: o.deviceId, key_packages: hundred() })).status).toBe(201);
    const over = await upload(o.token, { device_id: o.deviceId, key_packages: [kp()] });
    expect(over.status).toBe(413);
    const count = await auth.api.get<Res<TKeyPackageCount>>('/auth/key-packages/count', { token: o.token });
    expect(count.json.available).toBe(200);
    const tooLarge = await upload(o.token, {
      device_id: o.deviceId,
      key_packages: [b64(randomBytes(16 * 1024 + 3))],
    });
    expect(tooLarge.status).toBe(400);
    expect((await auth.api.get(`/auth/key-packages/count`, { token: other.token })).json).toEqual({
      available: 0,
      has_last_resort: false,
    });
  });

  it("claims one per device of the user, never the caller's own session device; a device with nothing to hand out is absent", async () => {
    const o = await withDevice();
    const second = await newSession(auth.api, o);
    const d2 = entry('laptop');
    const listed = await auth.api.get<Res<{ device_list: { body: string } }>>('/auth/devices', {
      token: o.token,
    });
    const first = JSON.parse(Buffer.from(listed.json.device_list.body, 'base64').toString()).devices;
    expect((await registerDevice(auth.api, o, second, 2, [...first, d2], d2.device_id)).status).toBe(201);
    const [k1, k2] = [kp(), kp()];
    expect((await upload(o.token, { device_id: o.deviceId, key_packages: [k1] })).status).toBe(201);
    const fromSecond = await auth.api.post<Res<TKeyPackageCount>>('/auth/key-packages', {
      token: second,
      body: { device_id: d2.device_id, key_packages: [k2] },
    });
    expect(fromSecond.status).toBe(201);
    // My own other device, yes; the device asking, no.
    const mine = await claim(auth.api, o.token, o.id);
    expect(mine.json.key_packages).toEqual([
      { device_id: d2.device_id, key_package: k2, last_resort: false },
    ]);
    const stranger = await register(auth.api);
    const theirs = await claim(auth.api, stranger.token, o.id);
    expect(theirs.json.key_packages).toEqual([
      { device_id: o.deviceId, key_package: k1, last_resort: false },
    ]);
    // Both pools are now empty and neither has a last resort: nothing to hand out.
    expect((await claim(auth.api, stranger.token, o.id)).json.key_packages).toEqual([]);
    expect((await claim(auth.api, stranger.token, stranger.id)).json.key_packages).toEqual([]);
  });

  it('every one-time KeyPackage is handed out exactly once to 40 concurrent claimers; the rest get the last resort', async () => {
    const target = await withDevice();
    const pool = Array.from({ length: 20 }, kp);
    const lastResort = kp();
    const up = await upload(target.token, {
      device_id: target.deviceId,
      key_packages: pool,
      last_resort: lastResort,
    });
    expect(up.json).toEqual({ available: 20, has_last_resort: true });
    const claimers = await Promise.all(Array.from({ length: 4 }, () => register(auth.api)));
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const c = claimers[i % claimers.length] as (typeof claimers)[number];
        return claim(i % 2 === 0 ? auth.api : auth2.api, c.token, target.id);
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const handed = answers.map((a) => {
      expect(a.json.key_packages).toHaveLength(1);
      return a.json.key_packages[0] as TClaimKeyPackagesResponse['key_packages'][number];
    });
    const oneTime = handed.filter((k) => !k.last_resort).map((k) => k.key_package);
    expect(oneTime.sort()).toEqual([...pool].sort());
    const rest = handed.filter((k) => k.last_resort);
    expect(rest).toHaveLength(20);
    for (const k of rest) expect(k.key_package).toBe(lastResort);
    const count = await auth.api.get<Res<TKeyPackageCount>>('/auth/key-packages/count', {
      token: target.token,
    });
    expect(count.json).toEqual({ available: 0, has_last_resort: true });
  });

  it(`rate-limits claims per caller (${CLAIMS_PER_MIN} a minute)`, async () => {
    const caller = await register(auth.api);
    const nobody = await register(auth.api);
    for (let i = 0; i < CLAIMS_PER_MIN; i++)
      expect((await claim(auth.api, caller.token, nobody.id)).status).toBe(200);
    const over = await claim(auth.api, caller.token, nobody.id);
    expect(over.status).toBe(429);
    expect(over.json.error.code).toBe('rate_limited');
    // Another caller is not affected.
    expect((await claim(auth.api, nobody.token, caller.id)).status).toBe(200);
  });
});
