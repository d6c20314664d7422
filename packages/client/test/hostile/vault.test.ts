/**
 * Issue 11, findings 6 and 7, against a server that lies about the vault:
 * - an old vault (valid AEAD, from before a pin was added) served to a device
 *   that saw a newer one is refused as `vault_rollback`, and nothing is written;
 * - a v1 vault served to a device that saw v2 is refused (a downgrade), while
 *   a real v1 vault still opens on first sight and is migrated to v2;
 * - "no vault" at login is refused as `no_vault` — louder when this device saw
 *   a vault — and no vault.put or keys.publish ever reaches the server;
 * - resetting the identity is explicit and works, keeping old identities.
 */
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KeyValueStore, LockboxSession, MemoryStore, NoVaultError } from '../../src';
import { fromBase64 } from '../../src/crypto';
import { newSession, uniqueName } from '../helpers/stack';
import { sealVaultV1 } from '../helpers/vault-v1';

let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
const password = 'a long enough vault password';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: { code?: string }) => err.code ?? String(err),
  );

/** The hostile server answers vault.get with this (a stored answer, or "no vault"). */
const serveVault = (answer: { vault: string | null; version: number; updated_at: string | null }) =>
  hostile.respond('vault.get', () => ({ status: 200, body: { result: { data: answer } } }));

/** Where the call log stood (reset() does not clear it): `writesSince(mark)` are the writes after that. */
const mark = () => hostile.calls.length;
const writesSince = (from: number) =>
  hostile.calls.slice(from).filter((c) => c.path === 'vault.put' || c.path === 'keys.publish');

/** A device (its own store) talking to the hostile server. */
const device = (store: KeyValueStore = new MemoryStore()) =>
  newSession(stack, { baseUrl: hostile.url, store });

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
});
afterAll(() => stop?.());
beforeEach(() => hostile.reset());

describe('a server that serves an old vault', () => {
  it('is caught by a device that saw a newer one (the pin it lacks cannot be rolled back)', async () => {
    const alice = await device();
    const bob = await newSession(stack);
    const aliceName = uniqueName('vr_a');
    const bobName = uniqueName('vr_b');
    await alice.account.register(aliceName, password);
    await bob.account.register(bobName, password);
    const old = await alice.api.trpc.vault.get.query();
    await alice.requests.send(bobName);
    await bob.requests.respond(aliceName, 'accept');
    await alice.verification.safetyNumber(bobName); // pins Bob: the vault is rewritten with a higher counter
    const now = await alice.api.trpc.vault.get.query();
    expect(now.version).toBeGreaterThan(old.version);

    const store = alice.profile.store;
    await alice.account.logout();
    hostile.reset();
    const from = mark();
    serveVault(old);
    const again = await LockboxSession.open({ baseUrl: hostile.url, store });
    const err = await again.account.login(aliceName, password).catch((e) => e);
    expect(err.code).toBe('vault_rollback');
    expect(err.message).toMatch(/served version 1 of the key vault, but this device already saw version 2/);
    expect(again.user).toBeUndefined();
    expect(writesSince(from)).toEqual([]);

    // The honest vault still signs in, with Bob's pin.
    hostile.reset();
    await again.account.login(aliceName, password);
    expect(await again.profile.pin(again.user!.user_id, bob.user!.user_id)).toBeDefined();
  });

  it('a pin write on top of an old vault is refused too: nothing is re-sealed over the rollback', async () => {
    const alice = await device();
    const bob = await newSession(stack);
    const aliceName = uniqueName('vp_a');
    const bobName = uniqueName('vp_b');
    await alice.account.register(aliceName, password);
    await bob.account.register(bobName, password);
    const old = await alice.api.trpc.vault.get.query();
    await alice.requests.send(bobName);
    await bob.requests.respond(aliceName, 'accept');
    await alice.verification.safetyNumber(bobName);
    const from = mark();
    serveVault(old);
    await alice.verification.markVerified(bobName); // the pin change is pushed (best effort): it must not write
    expect(writesSince(from)).toEqual([]);
    hostile.reset();
    await alice.verification.markVerified(bobName);
    const laptop = await newSession(stack);
    await laptop.account.login(aliceName, password);
    expect((await laptop.profile.pin(laptop.user!.user_id, bob.user!.user_id))?.verified).toBe(true);
  });

  it('a password change or an identity reset on top of an old vault is refused, and nothing is sent', async () => {
    const alice = await device();
    const bob = await newSession(stack);
    const aliceName = uniqueName('vc_a');
    const bobName = uniqueName('vc_b');
    await alice.account.register(aliceName, password);
    await bob.account.register(bobName, password);
    const old = await alice.api.trpc.vault.get.query();
    await alice.requests.send(bobName);
    await bob.requests.respond(aliceName, 'accept');
    await alice.verification.safetyNumber(bobName);
    const from = mark();
    serveVault(old);
    expect(await codeOf(alice.account.changePassword(password, 'another long password'))).toBe(
      'vault_rollback',
    );
    expect(await codeOf(alice.account.resetIdentity(aliceName, password))).toBe('vault_rollback');
    expect(hostile.calls.slice(from).filter((c) => c.path === 'auth.changePassword')).toEqual([]);
    expect(writesSince(from)).toEqual([]);
  });

  it('a v1 vault served to a device that saw v2 is refused as a downgrade', async () => {
    const alice = await device();
    const name = uniqueName('vd_a');
    await alice.account.register(name, password);
    const me = alice.user!.user_id;
    const key = (await alice.profile.vaultKey(me)) as Uint8Array;
    const identities = (await alice.profile.identities(me))!;
    const store = alice.profile.store;
    await alice.account.logout();
    const from = mark();
    serveVault({ vault: sealVaultV1(me, key, identities), version: 1, updated_at: new Date().toISOString() });
    const again = await LockboxSession.open({ baseUrl: hostile.url, store });
    const err = await again.account.login(name, password).catch((e) => e);
    expect(err.code).toBe('vault_rollback');
    expect(err.message).toMatch(/old-format \(v1\) key vault.*refused as a downgrade/);
    expect(writesSince(from)).toEqual([]);
  });

  it('a real v1 vault (an account from before v2) still opens, and is migrated to v2 at sign-in', async () => {
    const old = await newSession(stack);
    const name = uniqueName('vm_a');
    await old.account.register(name, password);
    const me = old.user!.user_id;
    const key = (await old.profile.vaultKey(me)) as Uint8Array;
    const identities = (await old.profile.identities(me))!;
    const stored = await old.api.trpc.vault.get.query();
    await old.api.trpc.vault.put.mutate({
      vault: sealVaultV1(me, key, identities),
      expected_version: stored.version,
    });

    const laptop = await newSession(stack);
    await laptop.account.login(name, password);
    expect((await laptop.account.whoami()).identity_key).toBe((await old.account.whoami()).identity_key);
    const migrated = fromBase64((await laptop.api.trpc.vault.get.query()).vault as string);
    expect(migrated[0]).toBe(2);
    expect((await laptop.profile.vaultSeen(me))?.counter).toBeGreaterThanOrEqual(1);
  });
});

describe('a server that says "no vault" at login', () => {
  it('is refused, loudly on a device that saw the vault, and nothing is created or published', async () => {
    const alice = await device();
    const name = uniqueName('nv_a');
    await alice.account.register(name, password);
    const keyBefore = (await alice.account.whoami()).identity_key;
    const store = alice.profile.store;
    await alice.account.logout();
    hostile.reset();
    const from = mark();
    serveVault({ vault: null, version: 0, updated_at: null });

    const again = await LockboxSession.open({ baseUrl: hostile.url, store });
    const err = await again.account.login(name, password).catch((e) => e);
    expect(err).toBeInstanceOf(NoVaultError);
    expect(err.code).toBe('no_vault');
    expect(err.message).toMatch(
      /this device saw a vault for this account on \d{4}-\d\d-\d\d: the server may be lying/,
    );

    // A device that never saw the account is refused too (just less loudly).
    const fresh = await device();
    const err2 = await fresh.account.login(name, password).catch((e) => e);
    expect(err2.code).toBe('no_vault');
    expect(err2.seenAt).toBeUndefined();

    expect(hostile.calls.slice(from).filter((c) => c.path === 'vault.get')).toHaveLength(2);
    expect(writesSince(from)).toEqual([]);
    // The directory still holds the old key: the server did not get us to abandon it.
    hostile.reset();
    const honest = await device(store);
    await honest.account.login(name, password);
    expect((await honest.account.whoami()).identity_key).toBe(keyBefore);
  });
});

describe('reset identity (explicit)', () => {
  it('gives an account whose register stopped half-way (no vault) a first identity', async () => {
    const name = uniqueName('rh_a');
    hostile.respond('vault.put', () => ({
      status: 503,
      body: {
        error: { message: 'down', code: -32603, data: { code: 'service_unavailable', httpStatus: 503 } },
      },
    }));
    const s = await device();
    expect(await codeOf(s.account.register(name, password))).not.toBe('no error');
    hostile.reset();
    expect(await codeOf(s.account.login(name, password))).toBe('no_vault');
    await s.account.resetIdentity(name, password);
    const me = await s.account.whoami();
    expect(me.username).toBe(name);
    const published = await s.api.trpc.keys.get.query({ user_id: me.id });
    expect(published.identity_key).toBe(me.identity_key);
    // And from now on it is a normal account.
    const laptop = await newSession(stack);
    await laptop.account.login(name, password);
    expect((await laptop.account.whoami()).identity_key).toBe(me.identity_key);
  });

  it('keeps the old identities when the vault still opens: history sealed to them still reads', async () => {
    const alice = await device();
    const bob = await newSession(stack);
    const aliceName = uniqueName('ri_a');
    const bobName = uniqueName('ri_b');
    await alice.account.register(aliceName, password);
    await bob.account.register(bobName, password);
    await alice.requests.send(bobName);
    await bob.requests.respond(aliceName, 'accept');
    await bob.messages.send(aliceName, 'sealed to the old key');
    const oldKey = (await alice.account.whoami()).identity_key;

    const laptop = await device();
    await laptop.account.resetIdentity(aliceName, password);
    expect((await laptop.account.whoami()).identity_key).not.toBe(oldKey);
    expect(
      (await laptop.messages.history(bobName)).map((m) => (m.payload as { text?: string } | undefined)?.text),
    ).toEqual(['sealed to the old key']);
    const vault = await laptop.api.trpc.vault.get.query();
    expect(fromBase64(vault.vault as string)[0]).toBe(2);
  });
});
