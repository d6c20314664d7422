/**
 * Identity slice of issue 11, against the SDK: a hostile server lists one
 * account under another's username (contacts, search, chat requests), serves
 * another account's bundle or one signed for another name, holds a legacy
 * version 1 bundle, or changes a key between the candidate safety number shown
 * and the accept. Each time the client refuses, loudly, and pins nothing.
 */
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IdentityChangedEvent, LockboxSession } from '../../src';
import { generateIdentity, signKeyBundle } from '../../src/crypto';
import { newSession, uniqueName } from '../helpers/stack';
import {
  callsSince,
  forgeBundle,
  identityOf,
  relabel,
  servedBundle,
  servedLegacyBundle,
} from './identity-swap';

const PASSWORD = 'a long enough password';
let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
const names = { alice: uniqueName('alice'), bob: uniqueName('bob'), mallory: uniqueName('mal') };
let alice: LockboxSession;
let bob: LockboxSession;
let mallory: LockboxSession;
const id = (s: LockboxSession) => s.user?.user_id as string;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err) => (err as { code?: string }).code,
  );

/** A fresh account behind the hostile server, with its identity_changed events. */
const victim = async (base: string) => {
  const s = await newSession(stack, { baseUrl: hostile.url });
  await s.account.register(uniqueName(base), PASSWORD);
  const events: IdentityChangedEvent[] = [];
  s.events.on('identity_changed', (e) => events.push(e));
  return { s, events };
};

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
  [alice, mallory] = await Promise.all([newSession(stack), newSession(stack)]);
  bob = await newSession(stack, { baseUrl: hostile.url });
  await alice.account.register(names.alice, PASSWORD);
  await mallory.account.register(names.mallory, PASSWORD);
  await bob.account.register(names.bob, PASSWORD);
  await alice.requests.send(names.bob);
  await bob.requests.respond(names.alice, 'accept');
});
afterAll(() => stop?.());
let mark = 0;
beforeEach(() => {
  hostile.reset();
  mark = hostile.calls.length;
});
/** The procedures called since this test started. */
const calledPaths = () => callsSince(hostile, mark).map((c) => c.path);

describe('identity swap (finding 2)', () => {
  it('contacts.list shows mallory as "alice" after bob pinned alice: identity_changed, nothing sent', async () => {
    await bob.verification.safetyNumber(names.alice); // first use: alice pinned under her id and her signed name
    const events: IdentityChangedEvent[] = [];
    const off = bob.events.on('identity_changed', (e) => events.push(e));
    relabel(hostile, 'contacts.list', id(alice), id(mallory));
    // The worst case: mallory's key even signs "alice" (a server making up its own account could).
    forgeBundle(hostile, id(mallory), servedBundle(id(mallory), names.alice, await identityOf(mallory)));
    expect(await codeOf(bob.messages.send(names.alice, 'for alice only'))).toBe('identity_changed');
    expect(await codeOf(bob.messages.history(names.alice))).toBe('identity_changed');
    expect(events.at(-1)).toMatchObject({
      userId: id(mallory),
      username: names.alice,
      reason: 'username_moved',
      pinnedUserId: id(alice),
    });
    expect(calledPaths()).not.toContain('messages.send');
    expect(await bob.profile.pin(id(bob), id(mallory))).toBeUndefined();
    off();
  });

  it('users.search lists mallory\'s id as "alice" to a fresh device: her key signs another name, refused', async () => {
    const carol = await victim('carol');
    relabel(hostile, 'users.search', id(alice), id(mallory));
    expect(await codeOf(carol.s.messages.send(names.alice, 'hi alice'))).toBe('identity_mismatch');
    expect(await codeOf(carol.s.verification.safetyNumber(names.alice))).toBe('identity_mismatch');
    expect(carol.events.at(-1)).toMatchObject({
      userId: id(mallory),
      username: names.alice,
      reason: 'username_mismatch',
      actualUsername: names.mallory,
    });
    expect(calledPaths()).not.toContain('messages.send');
    expect(await carol.s.profile.pins(id(carol.s))).toEqual([]);
  });

  it('a chat request from mallory relabelled as from "alice" is not accepted', async () => {
    const dave = await victim('dave');
    await mallory.requests.send(dave.s.user?.username as string);
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as Array<{ from_user: { id: string; username: string } }>).map((r) =>
        r.from_user.id === id(mallory) ? { ...r, from_user: { ...r.from_user, username: names.alice } } : r,
      ),
    );
    expect(await codeOf(dave.s.requests.respond(names.alice, 'accept'))).toBe('identity_mismatch');
    expect(calledPaths()).not.toContain('chatRequests.respond');
    hostile.reset();
    expect((await dave.s.requests.incoming()).map((r) => r.from_user.id)).toEqual([id(mallory)]);
  });

  it("a swapped bundle under alice's id: bob's genuine bundle, or one signed for her id under another name", async () => {
    const erin = await victim('erin');
    forgeBundle(hostile, id(alice), servedBundle(id(bob), names.bob, await identityOf(bob)));
    expect(await codeOf(erin.s.messages.send(names.alice, 'hi'))).toBe('bad_bundle');
    const forged = servedBundle(id(alice), names.mallory, await identityOf(mallory));
    forgeBundle(hostile, id(alice), forged);
    expect(await codeOf(erin.s.verification.safetyNumber(names.alice))).toBe('identity_mismatch');
    expect(erin.events.at(-1)).toMatchObject({ userId: id(alice), actualUsername: names.mallory });
    expect(await erin.s.profile.pins(id(erin.s))).toEqual([]);
  });
});

describe('legacy version 1 bundles', () => {
  it('a login republishes a v1 bundle the directory holds as v2, signed for the account name', async () => {
    const name = uniqueName('fay');
    const fay = await newSession(stack);
    await fay.account.register(name, PASSWORD);
    const identity = await identityOf(fay);
    forgeBundle(hostile, id(fay), servedLegacyBundle(id(fay), identity));
    const laptop = await newSession(stack, { baseUrl: hostile.url });
    await laptop.account.login(name, PASSWORD);
    const publish = callsSince(hostile, mark).find((c) => c.path === 'keys.publish');
    expect(publish?.input).toMatchObject({ version: 2, username: name.toLowerCase() });
  });

  it("a contact's legacy bundle is read (TOFU on the id), and the safety number says it is legacy", async () => {
    const gil = await victim('gil');
    forgeBundle(hostile, id(alice), servedLegacyBundle(id(alice), await identityOf(alice)));
    const sn = await gil.s.verification.safetyNumber(names.alice);
    expect(sn.legacyBundle).toBe(true);
    expect(await gil.s.profile.pin(id(gil.s), id(alice))).toMatchObject({
      username: names.alice.toLowerCase(),
    });
  });
});

describe('candidate safety number (finding 8)', () => {
  it('after a key change the new number is shown first; accept takes exactly the key shown', async () => {
    const hal = await victim('hal');
    const ivy = await newSession(stack);
    const ivyName = uniqueName('ivy');
    await ivy.account.register(ivyName, PASSWORD);
    const before = await hal.s.verification.safetyNumber(ivyName);
    expect(before.legacyBundle).toBe(false);
    // Ivy's account gets a new key (a reset, or a server swapping it).
    await ivy.api.trpc.keys.publish.mutate(signKeyBundle(id(ivy), ivyName, generateIdentity()));
    hostile.reset();
    const fresh = await newSession(stack, { baseUrl: hostile.url, store: hal.s.profile.store });
    expect(await codeOf(fresh.verification.safetyNumber(ivyName))).toBe('key_changed');
    const candidate = await fresh.verification.candidateSafetyNumber(ivyName);
    expect(candidate.changed).toBe(true);
    expect(candidate.text).not.toBe(before.text);
    expect((await fresh.profile.pin(id(fresh), id(ivy)))?.identity_key).not.toBe(candidate.identityKey);
    // Between "shown" and "accept" the server swaps the key once more: refused, pin unchanged.
    forgeBundle(hostile, id(ivy), servedBundle(id(ivy), ivyName, generateIdentity()));
    expect(await codeOf(fresh.verification.acceptNewKey(ivyName, candidate.identityKey))).toBe('key_changed');
    expect((await fresh.profile.pin(id(fresh), id(ivy)))?.identity_key).not.toBe(candidate.identityKey);
    hostile.reset();
    await fresh.verification.acceptNewKey(ivyName, candidate.identityKey);
    expect((await fresh.verification.safetyNumber(ivyName)).text).toBe(candidate.text);
    expect((await fresh.verification.candidateSafetyNumber(ivyName)).changed).toBe(false);
  });

  it("after an identity change, the candidate is the new id's number; accepting rebinds the name", async () => {
    const jo = await victim('jo');
    await jo.s.verification.safetyNumber(names.alice);
    relabel(hostile, 'users.search', id(alice), id(mallory));
    forgeBundle(hostile, id(mallory), servedBundle(id(mallory), names.alice, await identityOf(mallory)));
    expect(await codeOf(jo.s.verification.safetyNumber(names.alice))).toBe('identity_changed');
    const candidate = await jo.s.verification.candidateSafetyNumber(names.alice);
    expect(candidate).toMatchObject({ changed: true, contact: { id: id(mallory) } });
    await jo.s.verification.acceptNewKey(names.alice, candidate.identityKey);
    expect((await jo.s.verification.safetyNumber(names.alice)).text).toBe(candidate.text);
    // The old id no longer holds the name on this device.
    hostile.reset();
    expect(await codeOf(jo.s.verification.safetyNumber(names.alice))).toBe('identity_changed');
  });
});
