/**
 * Nothing may be lost once receive() has used the keys: a failing archive append (a 500, or an
 * honest 409 after another device turned the archive off) must not swallow the decrypted messages.
 */

import { describe, expect, it } from 'vitest';
import { LockboxApiError } from '../../src/api/errors';
import { DeviceState, type V2Transport } from '../../src/v2';
import { FakeServer } from './fake-server';
import { newAccount, openDevice, pinned, text, texts } from './helpers';

const setup = () => {
  const server = new FakeServer();
  const alice = newAccount(server);
  const bob = newAccount(server);
  return { server, alice, bob, keys: pinned(alice, bob) };
};

describe('messages survive a failing archive', () => {
  it('an archive append that fails (500) still returns the message, and the record is appended later', async () => {
    const { server, alice, bob, keys } = setup();
    let failing = false;
    const flaky = (t: V2Transport): V2Transport => ({
      ...t,
      archiveAppend: async (s) => {
        if (failing) throw new LockboxApiError('internal', 'boom', 500);
        return t.archiveAppend(s);
      },
    });
    const b1 = await openDevice(server, bob, keys, 'b1', flaky);
    await b1.engine.setArchive(true);
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('one'));
    failing = true;
    expect(texts(await b1.engine.pull())).toEqual(['one']);
    failing = false;
    await a1.engine.send(bob.userId, text('two'));
    expect(texts(await b1.engine.pull())).toEqual(['two']);
    const archived = await b1.engine.readArchive();
    expect(archived.records.map((r) => (r.payload as { text: string }).text).sort()).toEqual(['one', 'two']);
  });

  it('another device turning the archive off does not lose the next incoming message', async () => {
    const { server, alice, bob, keys } = setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    await b1.engine.setArchive(true);
    const b2 = await openDevice(server, bob, keys, 'b2');
    const a1 = await openDevice(server, alice, keys, 'a1');
    await a1.engine.send(bob.userId, text('one'));
    expect(texts(await b2.engine.pull())).toEqual(['one']);
    await b1.engine.setArchive(false);
    await a1.engine.send(bob.userId, text('two'));
    expect(texts(await b2.engine.pull())).toEqual(['two']);
    await a1.engine.send(bob.userId, text('three'));
    expect(texts(await b2.engine.pull())).toEqual(['three']);
    expect(server.archives.get(bob.userId) ?? []).toEqual([]);
  });
});

describe('revocation reaches every session of a device', () => {
  it('a re-login of a listed device re-binds its new session, so revoking the device ends that session too', async () => {
    const { server, alice, bob, keys } = setup();
    const b1 = await openDevice(server, bob, keys, 'b1');
    const b2 = await openDevice(server, bob, keys, 'b2');
    // b2 signs in again: a new session, the same device state.
    const relogin = await openDevice(server, bob, keys, 'b2', undefined, b2.store);
    expect(relogin.engine.deviceId).toBe(b2.engine.deviceId);
    expect((relogin.transport as unknown as { boundDevice: () => string | undefined }).boundDevice()).toBe(
      b2.engine.deviceId,
    );
    const list = await b1.engine.revoke([b2.engine.deviceId]);
    expect(list.devices.map((d) => d.deviceId)).toEqual([b1.engine.deviceId]);
    // The revoked device held the vault (identity seed, archive key): the user is told to reset.
    expect(list.identity_reset_recommended).toBe(true);
    await expect(relogin.engine.devices()).rejects.toMatchObject({ status: 401 });
    await expect(b2.engine.devices()).rejects.toMatchObject({ status: 401 });
    expect(await b1.engine.devices()).not.toBeNull();
    void alice;
  });
});

describe('KeyPackage private keys', () => {
  it('a server that always says available: 0 does not make the device keep KeyPackages without end', async () => {
    const { server, alice, bob, keys } = setup();
    const liar = (t: V2Transport): V2Transport => ({
      ...t,
      keyPackageCount: async () => ({ available: 0, has_last_resort: false }),
    });
    const b1 = await openDevice(server, bob, keys, 'b1', liar);
    for (let i = 0; i < 6; i++) await b1.engine.refillKeyPackages();
    const state = await DeviceState.load(b1.store, bob.userId);
    // POOL target is 3: at most 4 × 3 one-time KeyPackages plus 2 last-resort ones.
    expect(state!.keyPackages().filter((k) => !k.lastResort).length).toBeLessThanOrEqual(12);
    expect(state!.keyPackages().filter((k) => k.lastResort).length).toBe(2);
    void alice;
  });
});
