/**
 * Who belongs in a conversation's group: exactly the devices on the two users' signed device
 * lists (verified against pinned account keys). A KeyPackage the server hands out is used only if
 * its certificate verifies against the pinned account key AND names a device listed with that very
 * signature key; anything else is refused and reported, never added.
 */
import { type AccountKeyResolver, checkKeyPackage, decodeKeyPackage, MlsRefusedError } from '@lockbox/mls';
import { fromBase64 } from '../crypto/bytes';
import { type DeviceList, type DeviceListPins, isListedDevice } from './device-list';
import { V2RefusedError } from './errors';
import { parseAnswer, type V2Transport, ZClaimedKeyPackages, ZDeviceListAnswer } from './transport';

export interface RefusedKeyPackage {
  userId: string;
  deviceId: string;
  reason: string;
}

export interface ClaimedDevices {
  keyPackages: Uint8Array[];
  deviceIds: string[];
  refused: RefusedKeyPackage[];
}

export class Membership {
  readonly #transport: V2Transport;
  readonly #pins: DeviceListPins;
  readonly #accountKeyFor: AccountKeyResolver;

  constructor(transport: V2Transport, pins: DeviceListPins, accountKeyFor: AccountKeyResolver) {
    this.#transport = transport;
    this.#pins = pins;
    this.#accountKeyFor = accountKeyFor;
  }

  /** The user's verified list (null: none published). Throws V2RefusedError on a forged or rolled-back one. */
  async list(userId: string): Promise<DeviceList | null> {
    const answer = parseAnswer(ZDeviceListAnswer, await this.#transport.deviceList(userId), 'devices.list');
    if (answer.device_list === null) {
      // Having seen a list, "no list" is a rollback too.
      if ((await this.#pins.version(userId)) > 0)
        throw new V2RefusedError('list-rollback', `the server hides the device list of ${userId}`);
      return null;
    }
    return this.#pins.accept(userId, answer.device_list, this.#accountKeyFor(userId));
  }

  /**
   * Claims `userId`'s KeyPackages and keeps those of listed devices in `wanted` (all listed when
   * undefined), at most one per device, never `excludeDeviceId` (this device).
   */
  async claim(
    userId: string,
    list: DeviceList,
    excludeDeviceId: string,
    wanted?: ReadonlySet<string>,
  ): Promise<ClaimedDevices> {
    const answer = parseAnswer(
      ZClaimedKeyPackages,
      await this.#transport.claimKeyPackages(userId),
      'keyPackages.claim',
    );
    const out: ClaimedDevices = { keyPackages: [], deviceIds: [], refused: [] };
    for (const claimed of answer.key_packages) {
      const refuse = (reason: string) => out.refused.push({ userId, deviceId: claimed.device_id, reason });
      if (claimed.device_id === excludeDeviceId || out.deviceIds.includes(claimed.device_id)) continue;
      if (wanted !== undefined && !wanted.has(claimed.device_id)) continue;
      try {
        const bytes = fromBase64(claimed.key_package);
        const cert = await checkKeyPackage(decodeKeyPackage(bytes), this.#accountKeyFor);
        if (cert.userId !== userId || cert.deviceId !== claimed.device_id) {
          refuse('the KeyPackage is for another device');
          continue;
        }
        if (!isListedDevice(list, cert.deviceId, cert.signaturePublicKey)) {
          refuse('the device is not on the signed device list');
          continue;
        }
        out.keyPackages.push(bytes);
        out.deviceIds.push(cert.deviceId);
      } catch (e) {
        if (e instanceof MlsRefusedError) refuse(e.reason);
        else if (e instanceof Error) refuse('malformed');
        else throw e;
      }
    }
    return out;
  }
}
