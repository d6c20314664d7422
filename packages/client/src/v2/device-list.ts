/**
 * The signed device list: which devices speak for an account, signed by the account identity key
 * (the v1 Ed25519 key safety numbers cover). The signature is over the exact body bytes
 * (field("LockBox device list v1") || body), so nobody canonicalises JSON: verify the bytes, then
 * parse them. A client verifies only against the key it PINNED for that user, never a key the server
 * just served, and pins the highest version it has seen: a lower version is a rollback (e.g. a
 * revoked device put back), a different body at the same version is equivocation. Both are refused.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { bytesEqual, concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/bytes';
import type { KeyValueStore } from '../store/types';
import { refuseV2 } from './errors';
import { type TSignedDeviceList, ZDeviceId } from './transport';

export const DEVICE_LIST_LABEL = 'LockBox device list v1';
export const MAX_LISTED_DEVICES = 64;

const ZDeviceListBody = z.strictObject({
  v: z.literal(1),
  user_id: z.string().regex(/^usr_[0-9a-hjkmnp-tv-z]{26}$/),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  archive: z.boolean(),
  devices: z
    .array(
      z.strictObject({
        device_id: ZDeviceId,
        signature_key: z.string(),
        name: z.string().min(1).max(64),
        added_at: z.iso.datetime({ offset: true }),
      }),
    )
    .max(MAX_LISTED_DEVICES),
});

export interface ListedDevice {
  deviceId: string;
  signatureKey: Uint8Array;
  name: string;
  addedAt: string;
}

export interface DeviceList {
  userId: string;
  version: number;
  archive: boolean;
  devices: ListedDevice[];
}

/** field = u16 big-endian length || bytes, as packages/mls frames the device certificate. */
const field = (bytes: Uint8Array): Uint8Array =>
  concatBytes(Uint8Array.of(bytes.length >> 8, bytes.length & 0xff), bytes);

const signingBytes = (body: Uint8Array): Uint8Array => concatBytes(field(utf8(DEVICE_LIST_LABEL)), body);

const encodeBody = (list: DeviceList): Uint8Array =>
  utf8(
    JSON.stringify({
      v: 1,
      user_id: list.userId,
      version: list.version,
      archive: list.archive,
      devices: list.devices.map((d) => ({
        device_id: d.deviceId,
        signature_key: toBase64(d.signatureKey),
        name: d.name,
        added_at: d.addedAt,
      })),
    }),
  );

export const signDeviceList = (list: DeviceList, accountSigningSeed: Uint8Array): TSignedDeviceList => {
  const body = encodeBody(list);
  return { body: toBase64(body), signature: toBase64(ed25519.sign(signingBytes(body), accountSigningSeed)) };
};

const parseBody = (body: Uint8Array): DeviceList => {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(body));
  } catch {
    return refuseV2('malformed-list', 'device list body is not JSON');
  }
  const r = ZDeviceListBody.safeParse(json);
  if (!r.success) return refuseV2('malformed-list', 'device list body does not match the schema');
  const ids = new Set(r.data.devices.map((d) => d.device_id));
  if (ids.size !== r.data.devices.length) refuseV2('malformed-list', 'a device is listed twice');
  const devices = r.data.devices.map((d) => {
    let signatureKey: Uint8Array;
    try {
      signatureKey = fromBase64(d.signature_key, 32);
    } catch {
      return refuseV2('malformed-list', 'a signature key is not 32 bytes of base64');
    }
    return { deviceId: d.device_id, signatureKey, name: d.name, addedAt: d.added_at };
  });
  return { userId: r.data.user_id, version: r.data.version, archive: r.data.archive, devices };
};

/** Strict Ed25519 against the caller's pinned account key; then the body, which must be `userId`'s. */
export const verifyDeviceList = (
  signed: TSignedDeviceList,
  userId: string,
  pinnedAccountKey: Uint8Array,
): DeviceList => {
  let body: Uint8Array;
  let signature: Uint8Array;
  try {
    body = fromBase64(signed.body);
    signature = fromBase64(signed.signature, 64);
  } catch {
    return refuseV2('malformed-list', 'device list is not base64');
  }
  let ok = false;
  try {
    ok = ed25519.verify(signature, signingBytes(body), pinnedAccountKey, { zip215: false });
  } catch {
    ok = false;
  }
  if (!ok) refuseV2('bad-list-signature', `the device list of ${userId} is not signed by its pinned key`);
  const list = parseBody(body);
  if (list.userId !== userId) refuseV2('wrong-list-owner', 'the device list names another account');
  return list;
};

export const isListedDevice = (list: DeviceList, deviceId: string, signatureKey: Uint8Array): boolean =>
  list.devices.some((d) => d.deviceId === deviceId && bytesEqual(d.signatureKey, signatureKey));

/** The next version of a list (or version 1 of a new one), unsigned. */
export const firstDeviceList = (userId: string, device: ListedDevice, archive = false): DeviceList => ({
  userId,
  version: 1,
  archive,
  devices: [device],
});
export const withDevice = (list: DeviceList, device: ListedDevice): DeviceList => {
  if (list.devices.some((d) => d.deviceId === device.deviceId))
    refuseV2('malformed-list', 'that device is already listed');
  if (list.devices.length >= MAX_LISTED_DEVICES) refuseV2('malformed-list', 'too many devices');
  return { ...list, version: list.version + 1, devices: [...list.devices, device] };
};
export const withoutDevices = (list: DeviceList, deviceIds: readonly string[]): DeviceList => ({
  ...list,
  version: list.version + 1,
  devices: list.devices.filter((d) => !deviceIds.includes(d.deviceId)),
});
export const withArchive = (list: DeviceList, archive: boolean): DeviceList => ({
  ...list,
  version: list.version + 1,
  archive,
});

const ZPinnedList = z.object({ version: z.number().int().min(1), body: z.string() });

/**
 * The highest list version this device accepted per user, with its body. Kept in the local store
 * (not secret: the body is what the server serves to anyone signed in).
 */
export class DeviceListPins {
  readonly #store: KeyValueStore;
  readonly #me: string;

  constructor(store: KeyValueStore, me: string) {
    this.#store = store;
    this.#me = me;
  }

  #key(userId: string): string {
    return `v2-list.${this.#me}.${userId}`;
  }

  /**
   * Verifies `signed` for `userId` against the pinned account key and the pinned version: the
   * verified list, or V2RefusedError (bad signature, rollback, equivocation). Pins it when newer.
   */
  async accept(userId: string, signed: TSignedDeviceList, pinnedAccountKey: Uint8Array | undefined) {
    if (pinnedAccountKey === undefined) return refuseV2('no-pinned-key', `no pinned key for ${userId}`);
    const list = verifyDeviceList(signed, userId, pinnedAccountKey);
    return this.#store.withLock(this.#key(userId), async () => {
      const raw = await this.#store.get(this.#key(userId));
      const pinned = raw === undefined ? undefined : ZPinnedList.safeParse(JSON.parse(raw)).data;
      if (pinned !== undefined) {
        if (list.version < pinned.version)
          refuseV2(
            'list-rollback',
            `device list of ${userId} went back from ${pinned.version} to ${list.version}`,
          );
        if (list.version === pinned.version && pinned.body !== signed.body)
          refuseV2('list-equivocation', `two different device lists of ${userId} at version ${list.version}`);
      }
      if (pinned === undefined || list.version > pinned.version)
        await this.#store.set(
          this.#key(userId),
          JSON.stringify({ version: list.version, body: signed.body }),
        );
      return list;
    });
  }

  /** The highest pinned version (0: none). */
  async version(userId: string): Promise<number> {
    const raw = await this.#store.get(this.#key(userId));
    return raw === undefined ? 0 : (ZPinnedList.safeParse(JSON.parse(raw)).data?.version ?? 0);
  }
}
