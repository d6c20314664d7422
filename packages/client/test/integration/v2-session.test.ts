/**
 * E2E v2 wired into LockboxSession, through the real stack (gateway, auth, messages, realtime):
 * messages go over MLS by default; a second device of Alice's reads the whole earlier history
 * from the archive and then takes part; revoking it ends its session and its captured state
 * reads nothing after the removal commit; a v1-only peer and a v2 user still talk (v1); with the
 * archive off a new device gets no history and the server keeps none.
 */
import type { Stack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LockboxSession, MemoryStore } from '../../src';
import { internalsOf } from '../../src/session/internals';
import { V2Engine } from '../../src/v2';
import { trpcTransport } from '../../src/v2/trpc-transport';
import { newV2Session, startFullStack, uniqueName, until } from '../helpers/stack';

let stack: Stack;
const password = 'correct horse battery staple';

const texts = (ms: { payload?: { type: string; text?: string } }[]) =>
  ms.map((m) => (m.payload?.type === 'text' ? m.payload.text : `<${m.payload?.type ?? 'refused'}>`));

/** Two users who are contacts, each signed in on one fresh device. */
const pair = async (opts: { bobProtocol?: 'v1' | 'v2' } = {}) => {
  const aliceName = uniqueName('alice');
  const bobName = uniqueName('bob');
  const alice = await newV2Session(stack, { deviceName: 'alice laptop' });
  const bob = await newV2Session(stack, { protocol: opts.bobProtocol ?? 'v2' });
  await alice.account.register(aliceName, password);
  await bob.account.register(bobName, password);
  await alice.requests.send(bobName, 'hi');
  await bob.requests.respond(aliceName, 'accept');
  return { alice, bob, aliceName, bobName };
};

const secondDevice = async (name: string, store = new MemoryStore()) => {
  const s = await newV2Session(stack, { store, deviceName: 'alice phone' });
  await s.account.login(name, password);
  return s;
};

/** Every send re-syncs the group's members (a new or revoked device is seen at once). */
const syncEverySend = (s: LockboxSession) => {
  (internalsOf.get(s) as { v2: { syncEveryMs: number } }).v2.syncEveryMs = 0;
};

beforeAll(async () => {
  stack = await startFullStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('E2E v2 in the session', () => {
  it('sends over MLS by default; both sides read it live and in history, same shapes as v1', async () => {
    const { alice, bob, aliceName, bobName } = await pair();
    expect(alice.devices.status()).toEqual({ state: 'ready' });
    expect(await alice.devices.current()).toMatchObject({ name: 'alice laptop' });
    const got: string[] = [];
    const live = await bob.live.listen({
      onMessage: (m) => {
        if (m.payload?.type === 'text') got.push(`${m.version}:${m.payload.text}`);
      },
    });
    try {
      const sent = await alice.messages.send(bobName, 'hello over mls');
      expect(sent.version).toBe(2);
      await until(() => expect(got).toEqual(['2:hello over mls']));
      const reply = await bob.messages.send(aliceName, 'and back');
      expect(reply.version).toBe(2);
    } finally {
      await live.stop();
    }
    const history = await alice.messages.history(bobName);
    expect(texts(history)).toEqual(['hello over mls', 'and back']);
    expect(history.map((m) => [m.version, m.outgoing])).toEqual([
      [2, true],
      [2, false],
    ]);
    expect(history[1]?.counterpart_id).toBe(bob.user?.user_id);
    expect(history[1]?.sender_device_id).toBe((await bob.devices.current()).device_id);
    expect(texts(await bob.messages.history(aliceName))).toEqual(['hello over mls', 'and back']);
  });

  it('linking: a second device reads the earlier history from the archive, then takes part; revoking it locks it out', async () => {
    const { alice, bob, aliceName, bobName } = await pair();
    syncEverySend(alice);
    syncEverySend(bob);
    await alice.messages.send(bobName, 'one');
    await bob.messages.send(aliceName, 'two');
    // The archive holds what a device of Alice's read or sent: the laptop reads 'two' first.
    expect(texts(await alice.messages.history(bobName))).toEqual(['one', 'two']);
    const phone = await secondDevice(aliceName);
    expect(phone.devices.status()).toEqual({ state: 'ready' });
    expect(texts(await phone.messages.history(bobName))).toEqual(['one', 'two']);
    const names = (await alice.devices.list()).map((d) => [d.name, d.current]);
    expect(names).toEqual([
      ['alice laptop', true],
      ['alice phone', false],
    ]);

    // Bob's next send adds the phone to the group (its Welcome); the phone then reads and sends v2.
    expect((await bob.messages.send(aliceName, 'three')).version).toBe(2);
    expect(texts(await phone.messages.history(bobName))).toEqual(['one', 'two', 'three']);
    expect((await phone.messages.send(bobName, 'four, from the phone')).version).toBe(2);
    expect(texts(await alice.messages.history(bobName))).toEqual([
      'one',
      'two',
      'three',
      'four, from the phone',
    ]);
    expect(texts(await bob.messages.history(aliceName))).toEqual([
      'one',
      'two',
      'three',
      'four, from the phone',
    ]);

    // A copy of the phone's engine state, as a thief would take it before the revocation.
    const phoneStore = internalsOf.get(phone)?.store as MemoryStore;
    const stolen = new MemoryStore();
    for (const k of await phoneStore.keys('')) await stolen.set(k, (await phoneStore.get(k)) as string);
    const phoneDevice = (await phone.devices.current()).device_id;

    // Control: what Bob sends before the removal, the stolen state does read.
    await bob.messages.send(aliceName, 'before the removal');
    // Bob does not re-sync members now: the removal commit must come from Alice's revoke().
    (internalsOf.get(bob) as { v2: { syncEveryMs: number } }).v2.syncEveryMs = 3_600_000;

    await expect(alice.devices.revoke((await alice.devices.current()).device_id)).rejects.toMatchObject({
      code: 'current_device',
    });
    await alice.devices.revoke(phoneDevice);
    expect((await alice.devices.list()).map((d) => d.name)).toEqual(['alice laptop']);
    await expect(phone.account.whoami()).rejects.toMatchObject({ status: 401 });

    await bob.messages.send(aliceName, 'after the removal');
    expect(texts(await alice.messages.history(bobName)).slice(-2)).toEqual([
      'before the removal',
      'after the removal',
    ]);
    // The stolen state, driven with a fresh (valid) session of Alice's: nothing after the removal opens.
    const thief = await newV2Session(stack, { protocol: 'v1' });
    await thief.account.login(aliceName, password);
    const aliceId = alice.user?.user_id as string;
    const bobId = bob.user?.user_id as string;
    const engine = await V2Engine.open({
      store: stolen,
      transport: trpcTransport(thief.api.trpc),
      userId: aliceId,
      accountSigningSeed: new Uint8Array(32),
      accountKeyFor: (u) =>
        u === aliceId
          ? internalsOf.get(alice)?.signedIn.me().identities[0]?.identityKey
          : u === bobId
            ? internalsOf.get(bob)?.signedIn.me().identities[0]?.identityKey
            : undefined,
      deviceName: 'thief',
    });
    const events = await engine.pull();
    const read = events.flatMap((e) =>
      e.kind === 'message' && e.payload.type === 'text' ? [e.payload.text] : [],
    );
    expect(read).toContain('before the removal');
    expect(read).not.toContain('after the removal');
  });

  it('migration: a v1-only peer and a v2 user talk v1; v1 history stays readable once v2 starts', async () => {
    const { alice, bob, aliceName, bobName } = await pair({ bobProtocol: 'v1' });
    expect(bob.devices.status().state).toBe('unavailable');
    expect((await alice.messages.send(bobName, 'to a v1 peer')).version).toBe(1);
    expect((await bob.messages.send(aliceName, 'from a v1 peer')).version).toBe(1);
    expect(texts(await alice.messages.history(bobName))).toEqual(['to a v1 peer', 'from a v1 peer']);
    // Bob's next sign-in runs v2: the old v1 history still reads, and new messages go over MLS.
    const bob2 = await newV2Session(stack);
    await bob2.account.login(bobName, password);
    expect((await bob2.messages.send(aliceName, 'now on v2')).version).toBe(2);
    const h = await alice.messages.history(bobName);
    expect(texts(h)).toEqual(['to a v1 peer', 'from a v1 peer', 'now on v2']);
    expect(h.map((m) => m.version)).toEqual([1, 1, 2]);
    expect(texts(await bob2.messages.history(aliceName))).toEqual([
      'to a v1 peer',
      'from a v1 peer',
      'now on v2',
    ]);
  });

  it('archive off: a new device gets no history and the server keeps none', async () => {
    const { alice, bob, aliceName, bobName } = await pair();
    expect(await alice.devices.archiveEnabled()).toBe(true);
    await alice.messages.send(bobName, 'archived, then cleared');
    await alice.devices.setArchive(false);
    expect(await alice.devices.archiveEnabled()).toBe(false);
    await bob.messages.send(aliceName, 'never archived');
    expect(texts(await alice.messages.history(bobName))).toEqual([
      'archived, then cleared',
      'never archived',
    ]);
    const listed = await alice.api.trpc.archive.list.query({});
    expect(listed.segments).toEqual([]);
    const phone = await secondDevice(aliceName);
    expect(await phone.messages.history(bobName)).toEqual([]);
  });
});
