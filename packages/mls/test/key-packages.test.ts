/** KeyPackage pools, their encodings, and the checks a client runs on one from the server. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkKeyPackage,
  type Device,
  decodeKeyPackage,
  decodeLocalKeyPackage,
  encodeKeyPackage,
  encodeLocalKeyPackage,
  GroupMember,
  generateKeyPackagePool,
  KEY_PACKAGE_LIFETIME_SECONDS,
  keyPackageRef,
  type LocalKeyPackage,
} from '../src';
import { directory, expectRefusal, groupOf, newAccount, newDevice, text, utf8 } from './helpers';

const alice = newAccount('usr_alice');
const bob = newAccount('usr_bob');
const pinned = directory(alice, bob);

describe('KeyPackage pool', () => {
  let device: Device;
  let pool: { oneTime: LocalKeyPackage[]; lastResort: LocalKeyPackage };

  beforeAll(async () => {
    device = await newDevice(bob, 'dev_b1');
    pool = await generateKeyPackagePool(device, 3);
  });

  it('holds the requested one-time KeyPackages plus one last-resort, all distinct, all for this device', async () => {
    expect(pool.oneTime.map((k) => k.lastResort)).toEqual([false, false, false]);
    expect(pool.lastResort.lastResort).toBe(true);
    const all = [...pool.oneTime, pool.lastResort];
    const refs = await Promise.all(
      all.map(async (k) => Buffer.from(await keyPackageRef(k.publicPackage)).toString('hex')),
    );
    expect(new Set(refs).size).toBe(4);
    for (const k of all) {
      const cert = await checkKeyPackage(decodeKeyPackage(encodeKeyPackage(k.publicPackage)), pinned);
      expect(cert).toMatchObject({ userId: 'usr_bob', deviceId: 'dev_b1' });
      const { notBefore, notAfter } = k.publicPackage.leafNode.lifetime as {
        notBefore: bigint;
        notAfter: bigint;
      };
      expect(notAfter - notBefore).toBeLessThanOrEqual(BigInt(KEY_PACKAGE_LIFETIME_SECONDS + 3600));
    }
  });

  it('a stored KeyPackage (private keys included) round-trips and still joins a group', async () => {
    const stored = decodeLocalKeyPackage(encodeLocalKeyPackage(pool.oneTime[0]!), device);
    expect(stored).toEqual(pool.oneTime[0]);
    const [a] = await groupOf(await newDevice(alice, 'dev_a1'), [], pinned);
    const staged = await a!.addDevices([encodeKeyPackage(stored.publicPackage)]);
    await a!.merge(staged);
    const { member, usedKeyPackage } = await GroupMember.join(staged.welcome!, [pool.oneTime[1]!, stored], {
      accountKeyFor: pinned,
    });
    expect(usedKeyPackage).toBe(stored);
    const got = await member.receive(await a!.encrypt(utf8('hi')));
    expect(got.kind === 'application' && text(got.plaintext)).toBe('hi');
  });

  it('the last-resort KeyPackage serves two groups', async () => {
    for (const name of ['dev_a1', 'dev_a2']) {
      const [a] = await groupOf(await newDevice(alice, name), [], pinned);
      const staged = await a!.addDevices([encodeKeyPackage(pool.lastResort.publicPackage)]);
      await a!.merge(staged);
      const { usedKeyPackage } = await GroupMember.join(staged.welcome!, [pool.lastResort], {
        accountKeyFor: pinned,
      });
      expect(usedKeyPackage.lastResort).toBe(true);
    }
  });

  it('a KeyPackage outside its lifetime is refused: expired-key-package', async () => {
    const kp = pool.oneTime[2]!.publicPackage;
    const after = BigInt(Math.floor(Date.now() / 1000) + KEY_PACKAGE_LIFETIME_SECONDS + 60);
    await expectRefusal(checkKeyPackage(kp, pinned, after), 'expired-key-package');
  });

  it('a KeyPackage whose bytes were altered is refused', async () => {
    const bytes = encodeKeyPackage(pool.oneTime[2]!.publicPackage);
    const flipped = bytes.slice();
    flipped[flipped.length - 10]! ^= 1; // inside the KeyPackage signature
    await expectRefusal(checkKeyPackage(decodeKeyPackage(flipped), pinned), 'bad-signature');
    expect(() => decodeKeyPackage(bytes.slice(0, 40))).toThrow(/^malformed/);
    expect(() => decodeKeyPackage(new Uint8Array([...bytes, 1]))).toThrow(/^malformed/);
  });
});
