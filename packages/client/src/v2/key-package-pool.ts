/**
 * Keeps this device reachable: at least POOL_LOW one-time KeyPackages on the server (refilled to
 * POOL_TARGET) and a fresh last-resort one on every refill. Private halves are stored locally
 * BEFORE the upload, so every KeyPackage a Welcome can name is one this device can open. A
 * one-time KeyPackage's private keys are deleted as soon as a Welcome used it; the last two
 * last-resort ones are kept (a Welcome built on the previous one may still be in flight).
 */
import { encodeKeyPackage, generateKeyPackage, type LocalKeyPackage } from '@lockbox/mls';
import { toBase64 } from '../crypto/bytes';
import type { DeviceState } from './device-state';
import { parseAnswer, type V2Transport, ZKeyPackageCount } from './transport';

export const POOL_LOW = 10;
export const POOL_TARGET = 30;
const LAST_RESORTS_KEPT = 2;

export interface PoolSize {
  low: number;
  target: number;
  /**
   * A device with an empty pool (a new one) uploads only this many at first: every sign-in on a new
   * device would otherwise pay for a whole pool of X-Wing keys up front. The next refill (e.g. once
   * a Welcome used one, or the next start) tops it up to `target`.
   */
  first?: number;
}

export class KeyPackagePool {
  readonly #state: DeviceState;
  readonly #transport: V2Transport;
  readonly #size: PoolSize;
  /** Last-resort KeyPackages in upload order, oldest first. */
  #lastResorts: LocalKeyPackage[];

  constructor(
    state: DeviceState,
    transport: V2Transport,
    size: PoolSize = { low: POOL_LOW, target: POOL_TARGET },
  ) {
    this.#state = state;
    this.#transport = transport;
    this.#size = size;
    this.#lastResorts = state.keyPackages().filter((k) => k.lastResort);
  }

  /** Tops the server's pool up when it is below `low` or has no last resort; returns how many were uploaded. */
  async refill(): Promise<number> {
    const count = parseAnswer(ZKeyPackageCount, await this.#transport.keyPackageCount(), 'keyPackages.count');
    if (count.available >= this.#size.low && count.has_last_resort) return 0;
    const target =
      count.available === 0 && this.#size.first !== undefined
        ? Math.min(this.#size.first, this.#size.target)
        : this.#size.target;
    const missing = Math.max(0, target - count.available);
    const oneTime: LocalKeyPackage[] = [];
    for (let i = 0; i < missing; i++) oneTime.push(await generateKeyPackage(this.#state.device));
    const lastResort = await generateKeyPackage(this.#state.device, true);
    await this.#state.addKeyPackages([...oneTime, lastResort]);
    parseAnswer(
      ZKeyPackageCount,
      await this.#transport.uploadKeyPackages({
        device_id: this.#state.deviceId,
        key_packages: oneTime.map((k) => toBase64(encodeKeyPackage(k.publicPackage))),
        last_resort: toBase64(encodeKeyPackage(lastResort.publicPackage)),
      }),
      'keyPackages.upload',
    );
    this.#lastResorts.push(lastResort);
    const retired = this.#lastResorts.splice(0, Math.max(0, this.#lastResorts.length - LAST_RESORTS_KEPT));
    if (retired.length > 0) await this.#state.deleteKeyPackages(retired);
    return oneTime.length;
  }

  /** After a Welcome used `kp`: a one-time KeyPackage's private keys go now (forward secrecy). */
  async used(kp: LocalKeyPackage): Promise<void> {
    if (!kp.lastResort) await this.#state.deleteKeyPackages([kp]);
  }
}
