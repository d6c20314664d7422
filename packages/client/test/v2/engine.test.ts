/**
 * E2E v2 through the SDK engine against the honest in-memory server: two users with three devices
 * each; exactly-once in-order reading, forward secrecy and post-compromise security of the stored
 * device state, revocation, and a late device restoring history from the archive alone.
 * The tests share one server and build on each other, in order.
 */
import type { GroupMember } from '@lockbox/mls';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/crypto/bytes';
import { DeviceState } from '../../src/v2';
import { FakeServer } from './fake-server';
import {
  type Account,
  copyStore,
  newAccount,
  openDevice,
  pinned,
  type TestDevice,
  text,
  texts,
} from './helpers';

const server = new FakeServer();
let alice: Account;
let bob: Account;
let a: TestDevice[];
let b: TestDevice[];
let conversationId: string;
const all = () => [...a, ...b];
/** Everything each device has read so far, by device name. */
const read = new Map<string, string[]>();

const pullAll = async (devices = all()) => {
  for (const d of devices) read.set(d.name, [...(read.get(d.name) ?? []), ...texts(await d.engine.pull())]);
};

beforeAll(async () => {
  alice = newAccount(server);
  bob = newAccount(server);
  const keys = pinned(alice, bob);
  a = [];
  b = [];
  for (const i of [1, 2, 3]) a.push(await openDevice(server, alice, keys, `a${i}`));
  for (const i of [1, 2, 3]) b.push(await openDevice(server, bob, keys, `b${i}`));
  await a[0]!.engine.setArchive(true);
});

describe('two users, three devices each', () => {
  it('every device reads every message exactly once, in order (the sender knows its own)', async () => {
    const first = await a[0]!.engine.send(bob.userId, text('m0'));
    expect(first.version).toBe('v2');
    if (first.version !== 'v2') return;
    conversationId = first.conversationId;
    await pullAll();
    const sent: { from: TestDevice; text: string }[] = [{ from: a[0]!, text: 'm0' }];
    const order = [b[1]!, a[2]!, b[0]!, a[1]!, b[2]!, a[0]!];
    for (const [i, from] of order.entries()) {
      const t = `m${i + 1}`;
      expect((await from.engine.send(peerOf(from), text(t))).version).toBe('v2');
      sent.push({ from, text: t });
      await pullAll();
    }
    for (const d of all())
      expect(read.get(d.name)).toEqual(sent.filter((s) => s.from !== d).map((s) => s.text));
    for (const d of all()) expect(d.engine.status(conversationId)).toBe('active');
    // A second pull reads nothing again.
    for (const d of all()) expect(texts(await d.engine.pull())).toEqual([]);
  });

  it('forward secrecy: the stored state after reading message N opens no message up to N', async () => {
    const sent = await b[0]!.engine.send(alice.userId, text('secret'));
    if (sent.version !== 'v2') throw new Error('v2 expected');
    const earlier = await copyStore(a[1]!.store);
    await pullAll([a[1]!]);
    const stolen = await copyStore(a[1]!.store);
    // Control: the state from before reading it does open it (so the refusal below is about keys).
    const earlierState = (await DeviceState.load(earlier, alice.userId))!;
    const control = (await earlierState.loadGroup(conversationId, pinned(alice, bob)))!.member;
    const secretItem = server.items.find((i) => i.id === sent.messageId)!;
    expect((await control.receive(fromBase64(secretItem.encrypted_blob))).kind).toBe('application');
    const state = (await DeviceState.load(stolen, alice.userId))!;
    const member = (await state.loadGroup(conversationId, pinned(alice, bob)))!.member;
    const item = server.items.find((i) => i.id === sent.messageId)!;
    await expect(member.receive(fromBase64(item.encrypted_blob))).rejects.toThrow();
    // And the earliest application message of the conversation.
    const firstApp = server.items.find(
      (i) => i.conversation_id === conversationId && i.mls.kind === 'application',
    )!;
    await expect(member.receive(fromBase64(firstApp.encrypted_blob))).rejects.toThrow();
    await pullAll();
  });

  it('post-compromise: after one update commit by the victim, a thief with its old state reads nothing new', async () => {
    const victim = b[2]!;
    const stolen = await copyStore(victim.store);
    expect(await victim.engine.selfUpdate(alice.userId)).toBe('committed');
    await pullAll();
    const sent = await a[0]!.engine.send(bob.userId, text('after the update'));
    if (sent.version !== 'v2') throw new Error('v2 expected');
    await pullAll();
    expect(read.get(victim.name)?.at(-1)).toBe('after the update');
    const state = (await DeviceState.load(stolen, bob.userId))!;
    const thief = (await state.loadGroup(conversationId, pinned(alice, bob)))!.member;
    const after = server.items.filter((i) => i.conversation_id === conversationId && Number(i.cursor) > 0);
    const commitIdx = after.findIndex((i) => i.mls.kind === 'commit' && i.sender_id === bob.userId);
    // The thief may try the victim's commit and then the new message: neither gives it the plaintext.
    await thief.receive(fromBase64(after[commitIdx]!.encrypted_blob)).catch(() => undefined);
    const msg = server.items.find((i) => i.id === sent.messageId)!;
    await expect(thief.receive(fromBase64(msg.encrypted_blob))).rejects.toThrow();
  });

  it('revocation: a removed device opens nothing after the removal commit', async () => {
    const revoked = a[2]!;
    const before = await copyStore(revoked.store);
    const list = await a[0]!.engine.revoke([revoked.engine.deviceId]);
    expect(list.devices.map((d) => d.deviceId)).not.toContain(revoked.engine.deviceId);
    expect(await a[0]!.engine.syncMembers(bob.userId)).toBe('committed');
    const rest = all().filter((d) => d !== revoked);
    await pullAll(rest);
    const sent = await b[1]!.engine.send(alice.userId, text('not for a3'));
    if (sent.version !== 'v2') throw new Error('v2 expected');
    await pullAll(rest);
    for (const d of rest.filter((d) => d !== b[1])) expect(read.get(d.name)?.at(-1)).toBe('not for a3');
    // Its session was revoked with it; and its stored state, fed the whole stream, ends removed.
    await expect(revoked.engine.pull()).rejects.toThrow(/revoked/);
    const state = (await DeviceState.load(before, alice.userId))!;
    const member = (await state.loadGroup(conversationId, pinned(alice, bob)))!.member as GroupMember;
    const items = server.items.filter((i) => i.conversation_id === conversationId);
    const removal = items.findLast((i) => i.mls.kind === 'commit')!;
    await member.receive(fromBase64(removal.encrypted_blob)).catch(() => undefined);
    const msg = items.find((i) => i.id === sent.messageId)!;
    await expect(member.receive(fromBase64(msg.encrypted_blob))).rejects.toThrow();
  });

  it('a late device restores the whole history from the archive with every other device offline', async () => {
    for (let i = 0; i < 200; i++) await a[0]!.engine.send(bob.userId, text(`bulk ${i}`));
    // A second device appends the same messages: deduplicated by tag.
    await a[1]!.engine.pull();
    const late = await openDevice(server, alice, pinned(alice, bob), 'a4');
    const { records, refused } = await late.engine.readArchive();
    expect(refused).toBe(0);
    const bulk = records.filter((r) => r.payload.type === 'text' && r.payload.text.startsWith('bulk'));
    expect(bulk.map((r) => (r.payload.type === 'text' ? r.payload.text : ''))).toEqual(
      Array.from({ length: 200 }, (_, i) => `bulk ${i}`),
    );
    expect(new Set(records.map((r) => r.message_id)).size).toBe(records.length);
    // Earlier messages a1 read or sent while archive was on are there too.
    expect(records.some((r) => r.payload.type === 'text' && r.payload.text === 'm0')).toBe(true);
  });
});

const peerOf = (d: TestDevice) => (a.includes(d) ? bob.userId : alice.userId);
