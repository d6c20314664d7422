/**
 * Post-compromise security and revocation, tried by a thief holding a device's full stolen state
 * and every commit on the wire. Each case also shows the thief's state working before the healing
 * commit, so a refusal afterwards is the commit's doing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroupMember } from '../src';
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
import { openWithStolenState } from './stolen-state';

const alice = newAccount('usr_alice');
const bob = newAccount('usr_bob');
const accountKeyFor = directory(alice, bob);

const threeMembers = async (): Promise<[GroupMember, GroupMember, GroupMember]> => {
  const others = [await deviceWithKeyPackage(bob, 'dev_b1'), await deviceWithKeyPackage(bob, 'dev_b2')];
  return (await groupOf(await newDevice(alice, 'dev_a1'), others, accountKeyFor)) as [
    GroupMember,
    GroupMember,
    GroupMember,
  ];
};

describe('post-compromise security: one update commit by the victim locks the thief out', () => {
  let a: GroupMember;
  let victim: GroupMember;
  let c: GroupMember;
  let stolen: Uint8Array;
  let commits: Uint8Array[];
  let beforeHealing: Uint8Array;

  beforeAll(async () => {
    [a, victim, c] = await threeMembers();
    stolen = victim.export();
    beforeHealing = await a.encrypt(utf8('before healing'));
    await victim.receive(beforeHealing);
    await c.receive(beforeHealing);
    const update = await victim.selfUpdate();
    await victim.merge(update);
    await a.receive(update.commit);
    await c.receive(update.commit);
    commits = [update.commit];
  });

  it('before the update, the stolen state reads the group (the compromise is real)', async () => {
    expect(await openWithStolenState(stolen, [], beforeHealing)).toBe('before healing');
  });

  it('after the update, the thief opens nothing anyone sends', async () => {
    for (const sender of [a, c, victim]) {
      const wire = await sender.encrypt(utf8('after healing'));
      expect(await openWithStolenState(stolen, commits, wire)).toBeUndefined();
      for (const r of [a, c, victim]) if (r !== sender) await r.receive(wire);
    }
  });
});

describe('post-compromise control: without the update the thief reads everything', () => {
  it('a stolen state opens the next message of its epoch', async () => {
    const [a, victim] = await threeMembers();
    const stolen = victim.export();
    const wire = await a.encrypt(utf8('no healing yet'));
    expect(await openWithStolenState(stolen, [], wire)).toBe('no healing yet');
  });
});

describe('revocation: a removed device’s stolen state decrypts nothing after the removal commit', () => {
  let a: GroupMember;
  let b: GroupMember;
  let removed: GroupMember;
  let stolen: Uint8Array;
  let removal: Uint8Array;

  beforeAll(async () => {
    [a, b, removed] = await threeMembers();
    stolen = removed.export();
    const staged = await a.removeDevices([{ userId: 'usr_bob', deviceId: 'dev_b2' }]);
    await a.merge(staged);
    removal = staged.commit;
    expect(await b.receive(removal)).toMatchObject({
      kind: 'commit',
      removed: [{ userId: 'usr_bob', deviceId: 'dev_b2' }],
      removedSelf: false,
    });
  });

  it('the removed device learns it was removed and refuses to go on', async () => {
    expect(await removed.receive(removal)).toMatchObject({ kind: 'commit', removedSelf: true });
    expect(removed.removed).toBe(true);
    await expectRefusal(removed.encrypt(utf8('still here?')), 'removed');
  });

  it('the stolen state, following the removal commit itself, opens nothing sent after it', async () => {
    for (const sender of [a, b]) {
      const wire = await sender.encrypt(utf8('after removal'));
      expect(await openWithStolenState(stolen, [removal], wire)).toBeUndefined();
      const other = sender === a ? b : a;
      const got = await other.receive(wire);
      expect(got.kind === 'application' && text(got.plaintext)).toBe('after removal');
    }
  });
});
