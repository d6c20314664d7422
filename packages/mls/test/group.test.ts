/**
 * The group operations end to end: two users with three devices each in one conversation, every
 * device reading every message; a member restored from its exported state; and defensive refusal
 * of network input that is for another group, another epoch or another device.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupMember } from '../src';
import {
  type Account,
  deviceWithKeyPackage,
  directory,
  expectRefusal,
  groupOf,
  newAccount,
  newDevice,
  text,
  utf8,
} from './helpers';

describe('two users × three devices in one group', () => {
  let alice: Account;
  let bob: Account;
  let members: GroupMember[];
  let names: string[];

  beforeAll(async () => {
    alice = newAccount('usr_alice');
    bob = newAccount('usr_bob');
    const accountKeyFor = directory(alice, bob);
    const creator = await newDevice(alice, 'dev_a1');
    const others = await Promise.all([
      deviceWithKeyPackage(alice, 'dev_a2'),
      deviceWithKeyPackage(alice, 'dev_a3'),
      deviceWithKeyPackage(bob, 'dev_b1'),
      deviceWithKeyPackage(bob, 'dev_b2'),
      deviceWithKeyPackage(bob, 'dev_b3'),
    ]);
    members = await groupOf(creator, others, accountKeyFor);
    names = ['dev_a1', 'dev_a2', 'dev_a3', 'dev_b1', 'dev_b2', 'dev_b3'];
  });

  it('every device sees the same six members at the same epoch', () => {
    for (const m of members) {
      expect(m.epoch).toBe(1n);
      expect(m.members().map((x) => `${x.userId}/${x.deviceId}`)).toEqual([
        'usr_alice/dev_a1',
        'usr_alice/dev_a2',
        'usr_alice/dev_a3',
        'usr_bob/dev_b1',
        'usr_bob/dev_b2',
        'usr_bob/dev_b3',
      ]);
    }
  });

  it('every message from every device is read by the five others, with its sender', async () => {
    for (const [i, sender] of members.entries()) {
      const wire = await sender.encrypt(utf8(`hello from ${names[i]}`));
      for (const [j, receiver] of members.entries()) {
        if (j === i) continue;
        const got = await receiver.receive(wire);
        expect(got.kind).toBe('application');
        if (got.kind !== 'application') continue;
        expect(text(got.plaintext)).toBe(`hello from ${names[i]}`);
        expect(got.sender.deviceId).toBe(names[i]);
      }
    }
  });

  it('a replayed message is refused (its key was used and deleted)', async () => {
    const wire = await members[0]!.encrypt(utf8('once'));
    await members[3]!.receive(wire);
    await expectRefusal(members[3]!.receive(wire), 'decrypt-failed');
  });
});

describe('state export and defensive input', () => {
  const alice = newAccount('usr_alice');
  const bob = newAccount('usr_bob');
  const accountKeyFor = directory(alice, bob);
  let a: GroupMember;
  let b: GroupMember;
  let bobDevice: Awaited<ReturnType<typeof deviceWithKeyPackage>>;
  let other: GroupMember;

  beforeAll(async () => {
    bobDevice = await deviceWithKeyPackage(bob, 'dev_b1');
    [a, b] = (await groupOf(await newDevice(alice, 'dev_a1'), [bobDevice], accountKeyFor)) as [
      GroupMember,
      GroupMember,
    ];
    other = (await groupOf(await newDevice(alice, 'dev_a1'), [], accountKeyFor))[0]!;
  });

  it('a member exported to bytes and imported reads and writes as before', async () => {
    const restored = GroupMember.import(bobDevice.device, b.export(), { accountKeyFor });
    expect(restored.epoch).toBe(b.epoch);
    const got = await restored.receive(await a.encrypt(utf8('after restore')));
    expect(got.kind === 'application' && text(got.plaintext)).toBe('after restore');
    const back = await a.receive(await restored.encrypt(utf8('from the restored state')));
    expect(back.kind === 'application' && text(back.plaintext)).toBe('from the restored state');
    b = restored;
  });

  it('a state is not imported for another device, nor from garbage', async () => {
    const stranger = await newDevice(bob, 'dev_b2');
    expect(() => GroupMember.import(stranger, b.export(), { accountKeyFor })).toThrow(/not-for-this-device/);
    // Same user and device ids, another signature key: not the device this state belongs to.
    const lookalike = await newDevice(bob, 'dev_b1');
    expect(() => GroupMember.import(lookalike, b.export(), { accountKeyFor })).toThrow(/not-for-this-device/);
    expect(() => GroupMember.import(bobDevice.device, b.export().slice(0, 100), { accountKeyFor })).toThrow(
      /malformed/,
    );
  });

  it('a message for another group is refused as wrong-group', async () => {
    await expectRefusal(b.receive(await other.encrypt(utf8('elsewhere'))), 'wrong-group');
  });

  it('a message from a later epoch is refused as future-epoch, and reads once the commit is in', async () => {
    const update = await a.selfUpdate();
    await a.merge(update);
    const early = await a.encrypt(utf8('epoch 2'));
    await expectRefusal(b.receive(early), 'future-epoch');
    const commit = await b.receive(update.commit);
    expect(commit).toMatchObject({ kind: 'commit', epoch: 2n, removedSelf: false });
    const got = await b.receive(early);
    expect(got.kind === 'application' && text(got.plaintext)).toBe('epoch 2');
  });

  it('bytes that are not one whole MLS PrivateMessage are refused before any key is touched', async () => {
    const wire = await a.encrypt(utf8('x'));
    await expectRefusal(b.receive(new Uint8Array([...wire, 0])), 'malformed');
    await expectRefusal(b.receive(wire.slice(0, wire.length - 1)), 'malformed');
    await expectRefusal(b.receive(new Uint8Array(0)), 'malformed');
    await expectRefusal(b.receive(bobDevice.keyPackageBytes), 'wrong-wire-format');
    // The untouched original still reads: the refusals changed nothing.
    const got = await b.receive(wire);
    expect(got.kind === 'application' && text(got.plaintext)).toBe('x');
  });

  it('a Welcome for other KeyPackages is refused as not-for-this-device', async () => {
    const carol = await deviceWithKeyPackage(bob, 'dev_b3');
    const bystander = await deviceWithKeyPackage(bob, 'dev_b4');
    const staged = await a.addDevices([carol.keyPackageBytes]);
    await expectRefusal(
      GroupMember.join(staged.welcome!, [bystander.keyPackage], { accountKeyFor }),
      'not-for-this-device',
    );
  });

  it('a message from the epoch just before a commit still reads; two epochs back it is old-epoch', async () => {
    const late = await a.encrypt(utf8('sent before the commit'));
    const tooLate = await a.encrypt(utf8('two commits late'));
    for (let i = 0; i < 2; i++) {
      const update = await a.selfUpdate();
      await a.merge(update);
      await b.receive(update.commit);
      if (i === 0) {
        const got = await b.receive(late);
        expect(got.kind === 'application' && text(got.plaintext)).toBe('sent before the commit');
      }
    }
    await expectRefusal(b.receive(tooLate), 'old-epoch');
  });

  it('a commit from a past epoch is refused as old-epoch', async () => {
    const first = await a.selfUpdate();
    await a.merge(first);
    await b.receive(first.commit);
    await expectRefusal(b.receive(first.commit), 'old-epoch');
  });
});
