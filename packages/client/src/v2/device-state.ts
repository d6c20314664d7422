/**
 * This device's E2E v2 secrets in the local store: its MLS Device (signature key + certificate
 * signed by the account identity key), the private halves of the KeyPackages it published, and
 * one MLS group state per conversation. Every key is under `mls.`, which WrappedSecretsStore
 * seals like the identity seeds. A group state is rewritten after every operation, and the old
 * bytes are overwritten: what is on disk after message N holds no key for messages up to N.
 */
import { newId } from '@lockbox/contracts';
import {
  type AccountKeyResolver,
  createDevice,
  type Device,
  decodeDevice,
  decodeLocalKeyPackage,
  encodeDevice,
  encodeLocalKeyPackage,
  GroupMember,
  keyPackageRef,
  type LocalKeyPackage,
  signDeviceCertificate,
} from '@lockbox/mls';
import { z } from 'zod';
import { fromBase64, toBase64 } from '../crypto/bytes';
import type { KeyValueStore } from '../store/types';
import { type TStreamItem, ZDeviceId, ZStreamItem } from './transport';

const ZStoredDevice = z.object({ device_id: ZDeviceId, name: z.string(), device: z.string() });
const ZStoredGroup = z.object({
  state: z.string(),
  /** Stream item ids already handled in this conversation (bounded), so a replay is not re-read. */
  seen: z.array(z.string()),
  /** Items this device sent: it cannot (and need not) decrypt its own MLS messages. */
  sent: z.array(z.string()),
  /** Items waiting for a missing commit: kept across restarts, since the stream cursor moved past them. */
  parked: z.array(ZStreamItem).default([]),
});
export type StoredGroupMeta = { seen: string[]; sent: string[]; parked: TStreamItem[] };
const SEEN_KEPT = 4096;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class DeviceState {
  readonly device: Device;
  readonly name: string;
  readonly #store: KeyValueStore;
  readonly #userId: string;
  /** KeyPackage ref (hex) → its local record. */
  readonly #keyPackages = new Map<string, LocalKeyPackage>();

  private constructor(store: KeyValueStore, userId: string, device: Device, name: string) {
    this.#store = store;
    this.#userId = userId;
    this.device = device;
    this.name = name;
  }

  get deviceId(): string {
    return this.device.certificate.deviceId;
  }
  get userId(): string {
    return this.#userId;
  }

  static #deviceKey = (userId: string) => `mls.device.${userId}`;
  #kpKey = () => `mls.kps.${this.#userId}`;
  #groupKey = (conversationId: string) => `mls.group.${this.#userId}.${conversationId}`;

  /** This device's state if it has one (undefined: v2 not set up here yet). */
  static async load(store: KeyValueStore, userId: string): Promise<DeviceState | undefined> {
    const raw = await store.get(DeviceState.#deviceKey(userId));
    if (raw === undefined) return undefined;
    const stored = ZStoredDevice.parse(JSON.parse(raw));
    const device = decodeDevice(fromBase64(stored.device));
    if (device.certificate.userId !== userId || device.certificate.deviceId !== stored.device_id)
      throw new Error('stored MLS device belongs to another account');
    const state = new DeviceState(store, userId, device, stored.name);
    const kps = await store.get(state.#kpKey());
    for (const b of kps === undefined ? [] : z.array(z.string()).parse(JSON.parse(kps))) {
      const kp = decodeLocalKeyPackage(fromBase64(b), device);
      state.#keyPackages.set(hex(await keyPackageRef(kp.publicPackage)), kp);
    }
    return state;
  }

  /** A new device: fresh signature key, certified by the account identity seed (from the vault). */
  static async create(
    store: KeyValueStore,
    userId: string,
    name: string,
    accountSigningSeed: Uint8Array,
  ): Promise<DeviceState> {
    const device = await createDevice({
      userId,
      deviceId: newId('device'),
      certify: (request) => signDeviceCertificate(request, accountSigningSeed),
    });
    const state = new DeviceState(store, userId, device, name);
    await store.set(
      DeviceState.#deviceKey(userId),
      JSON.stringify({ device_id: state.deviceId, name, device: toBase64(encodeDevice(device)) }),
    );
    return state;
  }

  keyPackages(): LocalKeyPackage[] {
    return [...this.#keyPackages.values()];
  }

  async addKeyPackages(kps: readonly LocalKeyPackage[]): Promise<void> {
    for (const kp of kps) this.#keyPackages.set(hex(await keyPackageRef(kp.publicPackage)), kp);
    await this.#saveKeyPackages();
  }

  /** Forgets KeyPackages (their private keys): a used one-time one, or a replaced last resort. */
  async deleteKeyPackages(kps: readonly LocalKeyPackage[]): Promise<void> {
    for (const kp of kps) this.#keyPackages.delete(hex(await keyPackageRef(kp.publicPackage)));
    await this.#saveKeyPackages();
  }

  #saveKeyPackages(): Promise<void> {
    const all = this.keyPackages().map((kp) => toBase64(encodeLocalKeyPackage(kp)));
    return this.#store.set(this.#kpKey(), JSON.stringify(all));
  }

  async loadGroup(
    conversationId: string,
    accountKeyFor: AccountKeyResolver,
  ): Promise<{ member: GroupMember; meta: StoredGroupMeta } | undefined> {
    const raw = await this.#store.get(this.#groupKey(conversationId));
    if (raw === undefined) return undefined;
    const stored = ZStoredGroup.parse(JSON.parse(raw));
    const member = GroupMember.import(this.device, fromBase64(stored.state), { accountKeyFor });
    return { member, meta: { seen: stored.seen, sent: stored.sent, parked: stored.parked } };
  }

  async saveGroup(conversationId: string, member: GroupMember, meta: StoredGroupMeta): Promise<void> {
    const trimmed = {
      seen: meta.seen.slice(-SEEN_KEPT),
      sent: meta.sent.slice(-SEEN_KEPT),
      parked: meta.parked,
    };
    await this.#store.set(
      this.#groupKey(conversationId),
      JSON.stringify({ state: toBase64(member.export()), ...trimmed }),
    );
  }

  async deleteGroup(conversationId: string): Promise<void> {
    await this.#store.delete(this.#groupKey(conversationId));
  }

  async conversations(): Promise<string[]> {
    const prefix = `mls.group.${this.#userId}.`;
    return (await this.#store.keys(prefix)).map((k) => k.slice(prefix.length));
  }
}
