/** Accounts, devices and groups for the tests: real keys, real ts-mls, nothing mocked. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { expect } from 'vitest';
import {
  type AccountKeyResolver,
  createDevice,
  type Device,
  encodeKeyPackage,
  GroupMember,
  generateKeyPackage,
  type LocalKeyPackage,
  type MlsRefusal,
  MlsRefusedError,
  signDeviceCertificate,
} from '../src';

export interface Account {
  userId: string;
  signingSeed: Uint8Array;
  identityKey: Uint8Array;
}

export const newAccount = (userId: string): Account => {
  const signingSeed = ed25519.utils.randomSecretKey();
  return { userId, signingSeed, identityKey: ed25519.getPublicKey(signingSeed) };
};

/** What a client has pinned: the account keys of the given accounts, nobody else's. */
export const directory =
  (...accounts: Account[]): AccountKeyResolver =>
  (userId) =>
    accounts.find((a) => a.userId === userId)?.identityKey;

export const newDevice = (account: Account, deviceId: string): Promise<Device> =>
  createDevice({
    userId: account.userId,
    deviceId,
    certify: (request) => signDeviceCertificate(request, account.signingSeed),
  });

export interface TestDevice {
  device: Device;
  keyPackage: LocalKeyPackage;
  keyPackageBytes: Uint8Array;
}

export const deviceWithKeyPackage = async (account: Account, deviceId: string): Promise<TestDevice> => {
  const device = await newDevice(account, deviceId);
  const keyPackage = await generateKeyPackage(device);
  return { device, keyPackage, keyPackageBytes: encodeKeyPackage(keyPackage.publicPackage) };
};

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * A group created by `creator` with `others` added in one commit; everyone joined. Returns the
 * members in the order creator, ...others.
 */
export const groupOf = async (
  creator: Device,
  others: TestDevice[],
  accountKeyFor: AccountKeyResolver,
  groupId = utf8(`cnv_${Math.random().toString(36).slice(2)}`),
): Promise<GroupMember[]> => {
  const first = await GroupMember.create(creator, groupId, { accountKeyFor });
  if (others.length === 0) return [first];
  const staged = await first.addDevices(others.map((o) => o.keyPackageBytes));
  await first.merge(staged);
  const joined = await Promise.all(
    others.map(
      async (o) => (await GroupMember.join(staged.welcome!, [o.keyPackage], { accountKeyFor })).member,
    ),
  );
  return [first, ...joined];
};

export const expectRefusal = async (p: Promise<unknown>, reason: MlsRefusal): Promise<MlsRefusedError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MlsRefusedError);
  expect((error as MlsRefusedError).reason).toBe(reason);
  return error as MlsRefusedError;
};
