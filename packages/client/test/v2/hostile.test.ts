/**
 * The server as the adversary of E2E v2: forged and rolled-back device lists, a device that is not
 * on the list offered through a KeyPackage, a replayed KeyPackage, reordered and withheld commits.
 */
import { encodeKeyPackage, generateKeyPackage } from '@lockbox/mls';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import { MemoryStore } from '../../src/store/memory';
import {
  DeviceState,
  signDeviceList,
  type TSignedDeviceList,
  V2Engine,
  type V2Transport,
  verifyDeviceList,
  withDevice,
} from '../../src/v2';
import { FakeServer, type StoredItem } from './fake-server';
import { newAccount, openDevice, pinned, text, texts } from './helpers';

const setup = async () => {
  const server = new FakeServer();
  const alice = newAccount(server);
  const bob = newAccount(server);
  return { server, alice, bob, keys: pinned(alice, bob) };
};

describe('device lists served by a hostile server', () => {
  it('a device injected into the served list without a valid signature is refused (nothing is sent)', async () => {
    const { server, alice, bob, keys } = await setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    const genuine = server.lists.get(bob.userId)!.signed;
    const list = verifyDeviceList(genuine, bob.userId, bob.identityKey);
    const serverKey = ed25519.utils.randomSecretKey();
    const injected = withDevice(list, {
      deviceId: 'dev_0000000000000000000000000z',
      signatureKey: ed25519.getPublicKey(serverKey),
      name: 'server',
      addedAt: new Date().toISOString(),
    });
    // Signed by a key the server controls, and the same body with the genuine (now wrong) signature.
    for (const forged of [
      signDeviceList(injected, serverKey),
      { body: signDeviceList(injected, serverKey).body, signature: genuine.signature },
    ]) {
      const hostile = (t: V2Transport): V2Transport => ({
        ...t,
        deviceList: async () => ({ device_list: forged }),
      });
      const a1 = await openDevice(server, alice, keys, 'a1', hostile);
      await expect(a1.engine.send(bob.userId, text('hi'))).rejects.toThrow(/bad-list-signature/);
      expect(server.items).toHaveLength(0);
    }
    expect(b1.engine.deviceId).toBeDefined();
  });

  it('a device not on the signed list, offered through a KeyPackage, is not added', async () => {
    const { server, alice, bob, keys } = await setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    // A real Bob device (certificate signed by Bob's account key) that is not on Bob's list.
    const unlisted = await DeviceState.create(new MemoryStore(), bob.userId, 'stray', bob.seed);
    const kp = toBase64(encodeKeyPackage((await generateKeyPackage(unlisted.device)).publicPackage));
    const hostile = (t: V2Transport): V2Transport => ({
      ...t,
      claimKeyPackages: async (u) => {
        const answer = (await t.claimKeyPackages(u)) as { key_packages: unknown[] };
        if (u !== bob.userId) return answer;
        return {
          key_packages: [
            ...answer.key_packages,
            { device_id: unlisted.deviceId, key_package: kp, last_resort: false },
          ],
        };
      },
    });
    const a1 = await openDevice(server, alice, keys, 'a1', hostile);
    expect((await a1.engine.send(bob.userId, text('hi'))).version).toBe('v2');
    expect(a1.engine.refusedKeyPackages).toEqual([
      {
        userId: bob.userId,
        deviceId: unlisted.deviceId,
        reason: 'the device is not on the signed device list',
      },
    ]);
    const joined = await b1.engine.pull();
    expect(texts(joined)).toEqual(['hi']);
    // The stray device, even holding the KeyPackage's private keys, gets nothing from the Welcome.
    const welcome = server.items.find((i) => i.mls.kind === 'welcome')!;
    const { GroupMember } = await import('@lockbox/mls');
    await expect(
      GroupMember.join(fromBase64(welcome.encrypted_blob), unlisted.keyPackages(), { accountKeyFor: keys }),
    ).rejects.toThrow(/not-for-this-device/);
  });

  it('a rolled-back list (a revoked device put back) and a second list at the same version are refused', async () => {
    const { server, alice, bob, keys } = await setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    const b2 = await openDevice(server, bob, keys, 'b2');
    const withB2 = server.lists.get(bob.userId)!.signed;
    // undefined: pass the server's answer through; otherwise serve this instead.
    let served: TSignedDeviceList | null | undefined;
    const hostile = (t: V2Transport): V2Transport => ({
      ...t,
      deviceList: async (u) =>
        served === undefined || u !== bob.userId ? t.deviceList(u) : { device_list: served },
    });
    const a1 = await openDevice(server, alice, keys, 'a1', hostile);
    expect((await a1.engine.send(bob.userId, text('one'))).version).toBe('v2');
    await b1.engine.revoke([b2.engine.deviceId]);
    expect(await a1.engine.syncMembers(bob.userId)).toBe('committed');
    served = withB2;
    const a2 = a1;
    await expect(a2.engine.syncMembers(bob.userId)).rejects.toThrow(/list-rollback/);
    // Equivocation: another body signed by Bob at the pinned version.
    const current = verifyDeviceList(server.lists.get(bob.userId)!.signed, bob.userId, bob.identityKey);
    served = signDeviceList({ ...current, archive: !current.archive }, bob.seed);
    await expect(a2.engine.syncMembers(bob.userId)).rejects.toThrow(/list-equivocation/);
    // Hiding the list entirely after one was seen is a rollback too.
    served = null;
    await expect(a2.engine.syncMembers(bob.userId)).rejects.toThrow(/list-rollback/);
  });
});

describe('conversations', () => {
  it('a message for one peer is never encrypted into the group of another conversation', async () => {
    const { server, alice, bob } = await setup();
    const carol = newAccount(server);
    const keys = pinned(alice, bob, carol);
    await openDevice(server, bob, keys, 'b1');
    await openDevice(server, carol, keys, 'c1');
    let carolsConversation: string | undefined;
    const misroute = (t: V2Transport): V2Transport => ({
      ...t,
      mlsEpoch: async (c) => {
        const real = (await t.mlsEpoch(c)) as { conversation_id: string; epoch: number };
        return c === bob.userId && carolsConversation
          ? { ...real, conversation_id: carolsConversation }
          : real;
      },
    });
    const a1 = await openDevice(server, alice, keys, 'a1', misroute);
    const toCarol = await a1.engine.send(carol.userId, text('for carol'));
    if (toCarol.version !== 'v2') throw new Error('v2 expected');
    carolsConversation = toCarol.conversationId;
    const stored = server.items.length;
    await expect(a1.engine.send(bob.userId, text('for bob only'))).rejects.toThrow(/wrong-conversation/);
    expect(server.items).toHaveLength(stored);
  });
});

describe('KeyPackages and commits', () => {
  it('a replayed KeyPackage (the same one claimed twice) joins one group; the second Welcome is inert', async () => {
    const { server, alice, bob } = await setup();
    const carol = newAccount(server);
    const keys = pinned(alice, bob, carol);
    const b1 = await openDevice(server, bob, keys, 'b1');
    // The server keeps handing out b1's first one-time KeyPackage instead of deleting it.
    const first = server.keyPackages.get(b1.engine.deviceId)!.pool[0]!;
    const replay = (t: V2Transport): V2Transport => ({
      ...t,
      claimKeyPackages: async () => ({
        key_packages: [{ device_id: b1.engine.deviceId, key_package: first, last_resort: false }],
      }),
    });
    const a1 = await openDevice(server, alice, keys, 'a1', replay);
    const c1 = await openDevice(server, carol, keys, 'c1', replay);
    expect((await a1.engine.send(bob.userId, text('from alice'))).version).toBe('v2');
    expect((await c1.engine.send(bob.userId, text('from carol'))).version).toBe('v2');
    const events = await b1.engine.pull();
    // The first Welcome used the KeyPackage and its private keys were deleted: the second names
    // none this device still has, so b1 stays out of that group (no key is used twice, nothing is
    // misread); carol's message is reported as unreadable, not silently lost.
    expect(texts(events)).toEqual(['from alice']);
    expect(events.filter((e) => e.kind === 'joined')).toHaveLength(1);
    expect(events.some((e) => e.kind === 'skipped' && e.why === 'not-a-member')).toBe(true);
    expect(b1.engine.status(server.items.at(-1)!.conversation_id)).toBe('none');
  });

  const withUpdate = async () => {
    const { server, alice, bob, keys } = await setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    const a1 = await openDevice(server, alice, keys, 'a1');
    const a2 = await openDevice(server, alice, keys, 'a2');
    await a1.engine.send(bob.userId, text('before'));
    await b1.engine.pull();
    await a2.engine.pull();
    const mark = server.items.length;
    expect(await b1.engine.selfUpdate(alice.userId)).toBe('committed');
    await a1.engine.pull();
    await a1.engine.send(bob.userId, text('after'));
    const later = server.items.slice(mark) as StoredItem[];
    return { a2, later };
  };

  it('a reordered commit: the later message waits (missing-commit) and is read once the commit arrives', async () => {
    const { a2, later } = await withUpdate();
    const [commit, app] = later;
    expect(commit?.mls.kind).toBe('commit');
    const early = await a2.engine.onItem(app);
    expect(early.map((e) => e.kind)).toEqual(['missing-commit']);
    expect(a2.engine.status(app!.conversation_id)).toBe('missing-commit');
    const after = await a2.engine.onItem(commit);
    expect(texts(after)).toEqual(['after']);
    expect(a2.engine.status(app!.conversation_id)).toBe('active');
  });

  it('a withheld commit is detected and surfaced, never a silent drop', async () => {
    const { a2, later } = await withUpdate();
    const app = later[1]!;
    const events = await a2.engine.onItem(app);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'missing-commit',
        messageId: app.id,
        epoch: app.mls.epoch,
        have: app.mls.epoch - 1,
      }),
    ]);
    expect(a2.engine.status(app.conversation_id)).toBe('missing-commit');
    // Delivering the same item again does not make it disappear either.
    expect((await a2.engine.onItem(app)).map((e) => e.kind)).toEqual(['skipped']);
    expect(a2.engine.status(app.conversation_id)).toBe('missing-commit');
    // Nor does a restart: the parked item is in the stored state (the stream cursor moved past it).
    const again = await V2Engine.open({ ...a2.options, store: a2.store });
    expect(await again.onItem(app)).toEqual([expect.objectContaining({ kind: 'skipped', why: 'duplicate' })]);
    expect(again.status(app.conversation_id)).toBe('missing-commit');
    expect(texts(await again.onItem(later[0]))).toEqual(['after']);
  });
});
