/**
 * Group lifecycle through the engine: the migration rule (v1 until the peer has a listed device
 * with a KeyPackage), losing the race for epoch 0 (409: drop the staged commit, join by the
 * Welcome), and a newly listed device added by syncMembers.
 */
import { describe, expect, it } from 'vitest';
import type { V2Transport } from '../../src/v2';
import { FakeServer } from './fake-server';
import { newAccount, openDevice, pinned, text, texts } from './helpers';

describe('conversation groups', () => {
  it('stays on v1 while the peer has no listed device with a KeyPackage', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const a1 = await openDevice(server, alice, pinned(alice, bob), 'a1');
    expect(await a1.engine.send(bob.userId, text('hi'))).toEqual({ version: 'v1' });
    expect(server.items).toHaveLength(0);
  });

  it('a device that loses the race for epoch 0 drops its commit and joins by the Welcome', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const keys = pinned(alice, bob);
    // a1 is told epoch 0 although b1's commit already took it (a stale read, as in a real race).
    const stale = (t: V2Transport): V2Transport => ({
      ...t,
      mlsEpoch: async (c) => ({ ...((await t.mlsEpoch(c)) as object), epoch: 0 }),
    });
    const a1 = await openDevice(server, alice, keys, 'a1', stale);
    const b1 = await openDevice(server, bob, keys, 'b1');
    expect((await b1.engine.send(alice.userId, text('first'))).version).toBe('v2');
    const commits = server.items.length;
    expect(await a1.engine.send(bob.userId, text('second'))).toEqual({ version: 'waiting' });
    expect(server.items).toHaveLength(commits);
    expect(texts(await a1.engine.pull())).toEqual(['first']);
    expect((await a1.engine.send(bob.userId, text('second'))).version).toBe('v2');
    expect(texts(await b1.engine.pull())).toEqual(['second']);
  });

  it('syncMembers adds a newly listed device, which then reads new messages', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const keys = pinned(alice, bob);
    const a1 = await openDevice(server, alice, keys, 'a1');
    const b1 = await openDevice(server, bob, keys, 'b1');
    await a1.engine.send(bob.userId, text('before'));
    await b1.engine.pull();
    const b2 = await openDevice(server, bob, keys, 'b2');
    expect(await a1.engine.syncMembers(bob.userId)).toBe('committed');
    expect(await a1.engine.syncMembers(bob.userId)).toBe('unchanged');
    await a1.engine.send(bob.userId, text('after'));
    const events = await b2.engine.pull();
    expect(events.some((e) => e.kind === 'joined')).toBe(true);
    expect(texts(events)).toEqual(['after']);
    expect(texts(await b1.engine.pull())).toEqual(['after']);
  });

  it('a newly listed device is added by the next send, with no explicit syncMembers (either side)', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const keys = pinned(alice, bob);
    const a1 = await openDevice(server, alice, keys, 'a1');
    const b1 = await openDevice(server, bob, keys, 'b1');
    await a1.engine.send(bob.userId, text('before'));
    await b1.engine.pull();
    const b2 = await openDevice(server, bob, keys, 'b2');
    const a2 = await openDevice(server, alice, keys, 'a2');
    await b1.engine.send(alice.userId, text('from bob'));
    const b2Events = await b2.engine.pull();
    expect(b2Events.some((e) => e.kind === 'joined')).toBe(true);
    expect(texts(await a2.engine.pull())).toEqual(['from bob']);
    expect(texts(await a1.engine.pull())).toEqual(['from bob']);
    await a1.engine.send(bob.userId, text('after'));
    expect(texts(await b2.engine.pull())).toEqual(['after']);
    expect(texts(await b1.engine.pull())).toEqual(['after']);
  });
});
