/**
 * A device whose certificate is not signed by its account's pinned key never becomes a member:
 * not when offered as a KeyPackage, not when already inside a group someone invites us to, not
 * when another member's commit adds it.
 */

import { generateKeyPackageWithKey } from 'ts-mls';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDevice,
  encodeKeyPackage,
  GroupMember,
  generateKeyPackage,
  loadCiphersuite,
  signDeviceCertificate,
} from '../src';
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

const alice = newAccount('usr_alice');
const bob = newAccount('usr_bob');
const mallory = newAccount('usr_mallory');
const pinned = directory(alice, bob);

/** A device claiming to be Bob's, certified by Mallory's key (what a hostile server would inject). */
const fakeBobDevice = async (deviceId: string) => {
  const device = await createDevice({
    userId: 'usr_bob',
    deviceId,
    certify: (r) => signDeviceCertificate(r, mallory.signingSeed),
  });
  const kp = await generateKeyPackage(device);
  return { device, keyPackage: kp, keyPackageBytes: encodeKeyPackage(kp.publicPackage) };
};

describe('KeyPackages offered for adding', () => {
  let a: GroupMember;
  beforeAll(async () => {
    a = (await groupOf(await newDevice(alice, 'dev_a1'), [], pinned))[0]!;
  });

  it('a KeyPackage certified by another key than the account’s is refused: bad-certificate', async () => {
    await expectRefusal(a.addDevices([(await fakeBobDevice('dev_fake')).keyPackageBytes]), 'bad-certificate');
  });

  it('a real device’s credential on an attacker’s signature key is refused: bad-certificate', async () => {
    const realBob = await newDevice(bob, 'dev_b1');
    const cs = await loadCiphersuite();
    const attackerKeys = await cs.signature.keygen();
    const kp = await generateKeyPackageWithKey(
      realBob.credential,
      { versions: ['mls10'], ciphersuites: [cs.name], extensions: [], proposals: [], credentials: ['basic'] },
      { notBefore: 0n, notAfter: BigInt(Math.floor(Date.now() / 1000) + 3600) },
      [],
      attackerKeys,
      cs,
    );
    await expectRefusal(a.addDevices([encodeKeyPackage(kp.publicPackage)]), 'bad-certificate');
  });

  it('a KeyPackage of a user without a pinned key is refused: unknown-account', async () => {
    const m = await deviceWithKeyPackage(mallory, 'dev_m1');
    await expectRefusal(a.addDevices([m.keyPackageBytes]), 'unknown-account');
  });

  it('the same group still adds a properly certified device (the refusals are the certificates)', async () => {
    const b = await deviceWithKeyPackage(bob, 'dev_b1');
    const staged = await a.addDevices([b.keyPackageBytes]);
    expect(staged.welcome).toBeDefined();
  });
});

describe('groups that already hold an uncertified device', () => {
  it('a Welcome into a group with a fake device in its tree is refused: bad-certificate', async () => {
    // The inviter's own client was fooled (it accepts any key for usr_bob); ours is not.
    const fooled = (userId: string) => (userId === 'usr_bob' ? mallory.identityKey : pinned(userId));
    const fake = await fakeBobDevice('dev_fake');
    const carol = await deviceWithKeyPackage(alice, 'dev_a2');
    const [inviter] = await groupOf(await newDevice(alice, 'dev_a1'), [], fooled);
    const staged = await inviter!.addDevices([fake.keyPackageBytes, carol.keyPackageBytes]);
    await expectRefusal(
      GroupMember.join(staged.welcome!, [carol.keyPackage], { accountKeyFor: pinned }),
      'bad-certificate',
    );
  });

  it('a commit that adds a fake device is refused: bad-certificate, and the state stays usable', async () => {
    const fooled = (userId: string) => (userId === 'usr_bob' ? mallory.identityKey : pinned(userId));
    const honest = await deviceWithKeyPackage(alice, 'dev_a2');
    const creator = await newDevice(alice, 'dev_a1');
    const inviter = await GroupMember.create(creator, utf8('cnv_mixed'), { accountKeyFor: fooled });
    const first = await inviter.addDevices([honest.keyPackageBytes]);
    await inviter.merge(first);
    const { member: victim } = await GroupMember.join(first.welcome!, [honest.keyPackage], {
      accountKeyFor: pinned,
    });
    const bad = await inviter.addDevices([(await fakeBobDevice('dev_fake')).keyPackageBytes]);
    await expectRefusal(victim.receive(bad.commit), 'bad-certificate');
    expect(victim.epoch).toBe(1n);
    const got = await victim.receive(await inviter.encrypt(utf8('still epoch 1')));
    expect(got.kind === 'application' && text(got.plaintext)).toBe('still epoch 1');
  });
});
