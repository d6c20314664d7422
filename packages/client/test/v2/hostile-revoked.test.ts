/**
 * A revoked device keeps a valid certificate and, until a removal commit, the group's keys. These
 * tests check that nobody encrypts to it, commits around it, joins a group it built, or reads its
 * messages, whatever the server does with the removal commit.
 */
import { newId } from '@lockbox/contracts';
import { GroupMember } from '@lockbox/mls';
import { describe, expect, it } from 'vitest';
import { LockboxApiError } from '../../src/api/errors';
import { fromBase64, toBase64, utf8 } from '../../src/crypto/bytes';
import { encodePayload } from '../../src/crypto/payload';
import { DeviceState, type V2Transport } from '../../src/v2';
import { FakeServer, type StoredItem } from './fake-server';
import { newAccount, openDevice, pinned, text, texts } from './helpers';

const setup = async () => {
  const server = new FakeServer();
  const alice = newAccount(server);
  const bob = newAccount(server);
  const keys = pinned(alice, bob);
  const b1 = await openDevice(server, bob, keys, 'b1');
  const b2 = await openDevice(server, bob, keys, 'b2');
  return { server, alice, bob, keys, b1, b2 };
};

const item = (over: Partial<StoredItem> & Pick<StoredItem, 'conversation_id' | 'encrypted_blob' | 'mls'>) =>
  ({
    id: newId('message'),
    seq: 99,
    cursor: '9999',
    sender_id: '',
    recipient_id: '',
    signature: '',
    created_at: new Date().toISOString(),
    ...over,
  }) as StoredItem;

describe('a revoked device', () => {
  it('is removed before the next send, without anyone calling syncMembers: it reads nothing new', async () => {
    const { server, alice, bob, keys, b1, b2 } = await setup();
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('hello'));
    expect(texts(await b2.engine.pull())).toEqual(['hello']);
    expect(texts(await b1.engine.pull())).toEqual(['hello']);
    await b1.engine.revoke([b2.engine.deviceId]);
    expect((await a1.engine.send(bob.userId, text('after revocation'))).version).toBe('v2');
    // The (malicious) server hands the stored items to the revoked device's state.
    const thief = await DeviceState.load(b2.store, bob.userId);
    const conv = server.items[0]!.conversation_id;
    const { member } = (await thief!.loadGroup(conv, keys))!;
    const last = server.items.at(-1)!;
    await expect(member.receive(fromBase64(last.encrypted_blob))).rejects.toThrow();
    expect(texts(await b1.engine.pull())).toEqual(['after revocation']);
  });

  it('a server that refuses every removal commit (409) gets nothing encrypted: send refuses with not-listed', async () => {
    const { server, alice, bob, keys, b1 } = await setup();
    let refuseCommits = false;
    const stubborn = (t: V2Transport): V2Transport => ({
      ...t,
      sendMls: async (req) => {
        if (refuseCommits && req.kind === 'commit')
          throw new LockboxApiError('conflict', 'current epoch 9', 409);
        return t.sendMls(req);
      },
    });
    const a1 = await openDevice(server, alice, keys, 'a1', stubborn);
    await a1.engine.send(bob.userId, text('hello'));
    const b2 = (await b1.engine.devices())!.devices.find((d) => d.deviceId !== b1.engine.deviceId)!;
    await b1.engine.revoke([b2.deviceId]);
    refuseCommits = true;
    const before = server.items.length;
    await expect(a1.engine.send(bob.userId, text('secret'))).rejects.toMatchObject({ reason: 'not-listed' });
    expect(server.items.filter((i) => i.mls?.kind === 'application').length).toBe(
      server.items.slice(0, before).filter((i) => i.mls?.kind === 'application').length,
    );
    await expect(a1.engine.selfUpdate(bob.userId)).rejects.toMatchObject({ reason: 'not-listed' });
  });

  it('its messages are refused by receivers (not-listed), before any removal commit', async () => {
    const { server, alice, bob, keys, b1, b2 } = await setup();
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('hello'));
    await b2.engine.pull();
    await b1.engine.revoke([b2.engine.deviceId]);
    const conv = server.items[0]!.conversation_id;
    const thief = await DeviceState.load(b2.store, bob.userId);
    const { member } = (await thief!.loadGroup(conv, keys))!;
    const forged = await member.encrypt(encodePayload(text('from the thief')));
    const events = await a1.engine.onItem(
      item({
        conversation_id: conv,
        sender_id: bob.userId,
        recipient_id: alice.userId,
        encrypted_blob: toBase64(forged),
        mls: { kind: 'application', epoch: Number(member.epoch) },
      }),
    );
    expect(texts(events)).toEqual([]);
    expect(events).toMatchObject([{ kind: 'refused', reason: 'not-listed' }]);
  });

  it('a Welcome built by it (a new group under the conversation id) is not joined by a new device', async () => {
    const { server, alice, bob, keys, b1, b2 } = await setup();
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('hello'));
    await b1.engine.revoke([b2.engine.deviceId]);
    const conv = server.items[0]!.conversation_id;
    const thiefState = await DeviceState.load(b2.store, bob.userId);
    const a2 = await openDevice(server, alice, keys, 'a2');
    const kp = server.keyPackages.get(a2.engine.deviceId)!.pool.shift()!;
    const thief = await GroupMember.create(thiefState!.device, utf8(conv), { accountKeyFor: keys });
    const staged = await thief.addDevices([fromBase64(kp)]);
    await thief.merge(staged);
    const events = await a2.engine.onItem(
      item({
        conversation_id: conv,
        sender_id: bob.userId,
        recipient_id: alice.userId,
        encrypted_blob: toBase64(staged.welcome!),
        mls: { kind: 'welcome', epoch: 1 },
      }),
    );
    expect(events).toMatchObject([{ kind: 'refused', reason: 'not-listed' }]);
    expect(a2.engine.status(conv)).toBe('none');
  });
});

describe('no downgrade to v1', () => {
  it('a peer with a verified, pinned list whose KeyPackages the server withholds: send refuses, never v1', async () => {
    const server = new FakeServer();
    const alice = newAccount(server);
    const bob = newAccount(server);
    const keys = pinned(alice, bob);
    await openDevice(server, bob, keys, 'b1');
    const withhold = (t: V2Transport): V2Transport => ({
      ...t,
      claimKeyPackages: async () => ({ key_packages: [] }),
    });
    const a1 = await openDevice(server, alice, keys, 'a1', withhold);
    await expect(a1.engine.send(bob.userId, text('hi'))).rejects.toMatchObject({ reason: 'no-key-packages' });
    expect(server.items).toHaveLength(0);
  });
});
