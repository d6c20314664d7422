/**
 * Forward secrecy: a device's complete state, captured after it read message N, opens none of
 * messages 1..N, within the epoch and across a commit. The same snapshot does open a message it
 * has not read yet, so the refusals are the deleted keys, not a snapshot that reads nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupMember } from '../src';
import {
  deviceWithKeyPackage,
  directory,
  expectRefusal,
  groupOf,
  newAccount,
  newDevice,
  text,
  utf8,
} from './helpers';

describe('forward secrecy', () => {
  const alice = newAccount('usr_alice');
  const bob = newAccount('usr_bob');
  const accountKeyFor = directory(alice, bob);
  let a: GroupMember;
  let b: GroupMember;
  let bobDevice: Awaited<ReturnType<typeof deviceWithKeyPackage>>;
  const read: Uint8Array[] = [];
  let unread: Uint8Array;
  let snapshot: Uint8Array;

  beforeAll(async () => {
    bobDevice = await deviceWithKeyPackage(bob, 'dev_b1');
    [a, b] = (await groupOf(await newDevice(alice, 'dev_a1'), [bobDevice], accountKeyFor)) as [
      GroupMember,
      GroupMember,
    ];
    for (let i = 1; i <= 5; i++) read.push(await a.encrypt(utf8(`epoch 1 message ${i}`)));
    const update = await a.selfUpdate();
    await a.merge(update);
    const commitWire = update.commit;
    for (let i = 1; i <= 3; i++) read.push(await a.encrypt(utf8(`epoch 2 message ${i}`)));
    // Bob reads everything in order, the commit included: messages 1..8 are "before N".
    for (const wire of read.slice(0, 5)) await b.receive(wire);
    await b.receive(commitWire);
    for (const wire of read.slice(5)) await b.receive(wire);
    unread = await a.encrypt(utf8('not read yet'));
    snapshot = b.export();
  });

  it('the snapshot opens none of the messages its device already read', async () => {
    for (const wire of read) {
      const thief = GroupMember.import(bobDevice.device, snapshot, { accountKeyFor });
      const refusal = await thief.receive(wire).then(
        (r) => `opened: ${r.kind === 'application' ? text(r.plaintext) : r.kind}`,
        (e: Error) => e.message.split(':')[0],
      );
      expect(['decrypt-failed', 'old-epoch']).toContain(refusal);
    }
  });

  it('the same snapshot does open a message its device had not read (the control)', async () => {
    const thief = GroupMember.import(bobDevice.device, snapshot, { accountKeyFor });
    const got = await thief.receive(unread);
    expect(got.kind === 'application' && text(got.plaintext)).toBe('not read yet');
    await expectRefusal(thief.receive(unread), 'decrypt-failed');
  });
});
