/**
 * This account's own signed device list, as this device changes it: register itself (version 1 or
 * the previous list plus itself), revoke devices, switch the archive. Every list read back is
 * verified against this account's pinned identity key and the pinned version, like anyone else's.
 */
import type { AccountKeyResolver } from '@lockbox/mls';
import type { KeyValueStore } from '../store/types';
import {
  type DeviceList,
  type DeviceListPins,
  firstDeviceList,
  isListedDevice,
  signDeviceList,
  withArchive,
  withDevice,
  withoutDevices,
} from './device-list';
import type { DeviceState } from './device-state';
import { refuseV2 } from './errors';
import { isConflict, parseAnswer, type V2Transport, ZDeviceListAnswer, ZMyDevicesAnswer } from './transport';

interface Options {
  store: KeyValueStore;
  transport: V2Transport;
  userId: string;
  accountSigningSeed: Uint8Array;
  accountKeyFor: AccountKeyResolver;
  /** The archive setting of the account's very first list (later lists keep whatever was set). */
  archiveDefault?: boolean;
}

const ATTEMPTS = 3;

export class OwnDeviceList {
  readonly #o: Options;
  readonly #pins: DeviceListPins;
  readonly #state: DeviceState;
  #archive: boolean | undefined;

  constructor(o: Options, pins: DeviceListPins, state: DeviceState) {
    this.#o = o;
    this.#pins = pins;
    this.#state = state;
  }

  async #accept(signed: { body: string; signature: string }): Promise<DeviceList> {
    const list = await this.#pins.accept(this.#o.userId, signed, this.#o.accountKeyFor(this.#o.userId));
    this.#archive = list.archive;
    return list;
  }

  async current(): Promise<DeviceList | null> {
    const mine = parseAnswer(ZMyDevicesAnswer, await this.#o.transport.myDevices(), 'devices.mine');
    if (mine.device_list === null) {
      if ((await this.#pins.version(this.#o.userId)) > 0)
        refuseV2('list-rollback', 'the server hides our device list');
      return null;
    }
    return this.#accept(mine.device_list);
  }

  async archiveOn(): Promise<boolean> {
    if (this.#archive === undefined) await this.current();
    return this.#archive ?? false;
  }

  async ensureListed(): Promise<DeviceList> {
    const me = {
      deviceId: this.#state.deviceId,
      signatureKey: this.#state.device.certificate.signaturePublicKey,
      name: this.#state.name,
      addedAt: new Date().toISOString(),
    };
    for (let attempt = 1; ; attempt++) {
      const list = await this.current();
      if (list !== null && isListedDevice(list, me.deviceId, me.signatureKey)) return list;
      if (list?.devices.some((d) => d.deviceId === me.deviceId))
        refuseV2('not-listed', 'this device id is listed with another key');
      const next =
        list === null
          ? firstDeviceList(this.#o.userId, me, this.#o.archiveDefault ?? false)
          : withDevice(list, me);
      try {
        const answer = await this.#o.transport.registerDevice({
          device_id: me.deviceId,
          device_list: signDeviceList(next, this.#o.accountSigningSeed),
        });
        const signed = parseAnswer(ZDeviceListAnswer, answer, 'devices.register').device_list;
        if (signed === null) return refuseV2('malformed-list', 'register answered without a list');
        return await this.#accept(signed);
      } catch (e) {
        // Another device registered at the same time: read the new list and extend that one.
        if (!isConflict(e) || attempt >= ATTEMPTS) throw e;
      }
    }
  }

  async #update(change: (list: DeviceList) => DeviceList): Promise<DeviceList> {
    for (let attempt = 1; ; attempt++) {
      const list = await this.current();
      if (list === null) return refuseV2('no-device', 'this account has no device list yet');
      try {
        const answer = await this.#o.transport.updateDeviceList(
          signDeviceList(change(list), this.#o.accountSigningSeed),
        );
        const signed = parseAnswer(ZDeviceListAnswer, answer, 'devices.update').device_list;
        if (signed === null) return refuseV2('malformed-list', 'update answered without a list');
        return await this.#accept(signed);
      } catch (e) {
        if (!isConflict(e) || attempt >= ATTEMPTS) throw e;
      }
    }
  }

  /** Revokes devices: the server ends their sessions; groups drop them at the next syncMembers. */
  revoke(deviceIds: readonly string[]): Promise<DeviceList> {
    return this.#update((list) => withoutDevices(list, deviceIds));
  }

  setArchive(on: boolean): Promise<DeviceList> {
    return this.#update((list) => withArchive(list, on));
  }
}
