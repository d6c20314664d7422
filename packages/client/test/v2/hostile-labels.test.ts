/**
 * The server's `mls` label (kind, epoch) and conversation are checked against the bytes before
 * anything is decrypted: a relabelled item neither burns a key nor vanishes, and the genuine one is
 * still read. One fabricated item does not park every later item.
 */
import { newId } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import type { V2Transport } from '../../src/v2';
import { FakeServer, type StoredItem } from './fake-server';
import { newAccount, openDevice, pinned, text, texts } from './helpers';

const setup = async () => {
  const server = new FakeServer();
  const alice = newAccount(server);
  const bob = newAccount(server);
  const keys = pinned(alice, bob);
  const b1 = await openDevice(server, bob, keys, 'b1');
  const a1 = await openDevice(server, alice, keys, 'a1');
  await a1.engine.send(bob.userId, text('first'));
  expect(texts(await b1.engine.pull())).toEqual(['first']);
  return { server, alice, bob, keys, a1, b1 };
};
const clone = (i: StoredItem): StoredItem => JSON.parse(JSON.stringify(i));

describe('labels checked against the bytes', () => {
  it.each([
    ['welcome', 0],
    ['commit', 0],
    ['application', 7],
  ] as const)(
    'an application item relabelled %s (epoch %i) is refused; the genuine item is then read',
    async (kind, epoch) => {
      const { server, bob, a1, b1 } = await setup();
      await a1.engine.send(bob.userId, text('secret'));
      const real = server.items.at(-1)!;
      const fake = { ...clone(real), id: newId('message'), mls: { kind, epoch } };
      expect(await b1.engine.onItem(fake)).toMatchObject([{ kind: 'refused', reason: 'label-mismatch' }]);
      expect(texts(await b1.engine.onItem(real))).toEqual(['secret']);
    },
  );

  it('a commit labelled application is refused before it is applied', async () => {
    const { server, alice, bob, a1, b1 } = await setup();
    expect(await a1.engine.selfUpdate(bob.userId)).toBe('committed');
    const commit = server.items.at(-1)!;
    const relabelled = { ...clone(commit), mls: { kind: 'application' as const, epoch: commit.mls!.epoch } };
    expect(await b1.engine.onItem(relabelled)).toMatchObject([{ kind: 'refused', reason: 'label-mismatch' }]);
    // The genuine commit (same id: not marked seen) still applies, and later messages read.
    expect(await b1.engine.onItem(commit)).toMatchObject([{ kind: 'membership' }]);
    await a1.engine.send(bob.userId, text('after'));
    expect(texts(await b1.engine.pull())).toEqual(['after']);
    void alice;
  });
});

describe('parked items', () => {
  it('one fabricated far-future item does not park the items after it', async () => {
    const { server, alice, bob, keys, a1, b1 } = await setup();
    const a2 = await openDevice(server, alice, keys, 'a2');
    expect(await b1.engine.syncMembers(alice.userId)).toBe('committed');
    expect(texts(await a2.engine.pull())).toEqual([]);
    await a1.engine.pull();
    const mark = server.items.length;
    expect(await b1.engine.selfUpdate(alice.userId)).toBe('committed');
    await a1.engine.pull();
    await a1.engine.send(bob.userId, text('after'));
    const [commit, app] = server.items.slice(mark);
    // The same bytes with the epoch field (after version, wire format, group id) set to 999.
    const bytes = fromBase64(app!.encrypted_blob);
    const offset = 5 + bytes[4]!;
    new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(offset, 999n);
    const fake = {
      ...clone(app!),
      id: newId('message'),
      encrypted_blob: toBase64(bytes),
      mls: { kind: 'application' as const, epoch: 999 },
    };
    expect((await a2.engine.onItem(fake)).map((e) => e.kind)).toEqual(['missing-commit']);
    expect((await a2.engine.onItem(app)).map((e) => e.kind)).toEqual(['missing-commit']);
    expect(texts(await a2.engine.onItem(commit))).toEqual(['after']);
  });
});

describe('Welcome after the first messages', () => {
  it('items served before the Welcome wait for it and are read once the device joins', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const keys = pinned(alice, bob);
    const b1 = await openDevice(server, bob, keys, 'b1');
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('first'));
    await a1.engine.send(bob.userId, text('second'));
    const [commit, welcome, ...apps] = server.items;
    expect(welcome!.mls!.kind).toBe('welcome');
    const early: string[] = [];
    for (const app of apps) early.push(...texts(await b1.engine.onItem(app)));
    early.push(...texts(await b1.engine.onItem(commit)));
    expect(early).toEqual([]);
    expect(texts(await b1.engine.onItem(welcome))).toEqual(['first', 'second']);
    expect(texts(await b1.engine.pull())).toEqual([]);
  });
});

describe('forks', () => {
  it('a message from another branch of the same epoch (the server forked the group) is refused fork-suspected', async () => {
    const { server, alice, bob, keys, a1, b1 } = await setup();
    // b2 is shown a world where its own commit for this epoch won (the server answers 201 and drops it).
    let forkCommits = false;
    const forking = (t: V2Transport): V2Transport => ({
      ...t,
      sendMls: async (req) => {
        if (!forkCommits || req.kind !== 'commit') return t.sendMls(req);
        return {
          message_id: newId('message'),
          conversation_id: server.items[0]!.conversation_id,
          seq: 999,
          cursor: '999',
          created_at: new Date().toISOString(),
        };
      },
    });
    const b2 = await openDevice(server, bob, keys, 'b2', forking);
    expect(await b1.engine.syncMembers(alice.userId)).toBe('committed');
    await a1.engine.pull();
    await b2.engine.pull();
    forkCommits = true;
    expect(await b2.engine.selfUpdate(alice.userId)).toBe('committed');
    expect(await b1.engine.selfUpdate(alice.userId)).toBe('committed');
    await a1.engine.pull();
    expect((await b2.engine.send(alice.userId, text('other branch'))).version).toBe('v2');
    const events = await a1.engine.pull();
    expect(events).toMatchObject([{ kind: 'refused', reason: 'fork-suspected' }]);
  });
});
