/**
 * `session.devices`: this account's devices (E2E v2). Names and dates come from the signed
 * device list, verified against this account's pinned identity key; `last_seen_at` is what the
 * server observed (unsigned). Revoking signs a new list without the device (the server ends its
 * sessions and deletes its KeyPackages) and then removes it from every conversation's group.
 */
import { call } from '../../api/errors';
import { parseAnswer, ZMyDevicesAnswer } from '../../v2/transport';
import { SessionError } from '../errors';
import type { SessionInternals } from '../internals';
import type { V2Running, V2Status } from '../v2-runtime';

export type DevicesContext = Pick<SessionInternals, 'api' | 'signedIn' | 'v2'>;

export interface DeviceView {
  device_id: string;
  name: string;
  added_at: string;
  /** Server-observed, unsigned (null: never seen). */
  last_seen_at: string | null;
  current: boolean;
}

export class DevicesDomain {
  readonly #ctx: DevicesContext;

  constructor(ctx: DevicesContext) {
    this.#ctx = ctx;
  }

  /** Whether E2E v2 runs on this device (`unavailable`: messages go as v1, with the reason). */
  status(): V2Status {
    return this.#ctx.v2.status();
  }

  async #running(): Promise<V2Running> {
    const me = this.#ctx.signedIn.me();
    const r = await this.#ctx.v2.running(me.userId);
    if (r === undefined)
      throw new SessionError(
        'device_unavailable',
        `end-to-end v2 is not running on this device: ${this.#ctx.v2.status().reason ?? 'unknown reason'}`,
      );
    return r;
  }

  /** This device (throws `device_unavailable` when v2 is not running). */
  async current(): Promise<{ device_id: string; name: string }> {
    const r = await this.#running();
    return { device_id: r.engine.deviceId, name: r.engine.deviceName };
  }

  async list(): Promise<DeviceView[]> {
    const r = await this.#running();
    const list = await r.engine.devices();
    if (list === null) return [];
    const mine = parseAnswer(
      ZMyDevicesAnswer,
      await call(() => this.#ctx.api.trpc.devices.mine.query()),
      'devices.mine',
    );
    return list.devices.map((d) => ({
      device_id: d.deviceId,
      name: d.name,
      added_at: d.addedAt,
      last_seen_at: mine.devices.find((o) => o.device_id === d.deviceId)?.last_seen_at ?? null,
      current: d.deviceId === r.engine.deviceId,
    }));
  }

  /** Revokes another device of this account: signed list without it, then out of every group. */
  async revoke(deviceId: string): Promise<void> {
    const r = await this.#running();
    if (deviceId === r.engine.deviceId)
      throw new SessionError('current_device', 'this is the device you are using: sign out instead');
    const list = await r.engine.devices();
    if (!list?.devices.some((d) => d.deviceId === deviceId))
      throw new SessionError('unknown_device', 'no such device on this account');
    await r.engine.revoke([deviceId]);
    for (const peer of await this.#ctx.v2.contactIds()) {
      await this.#ctx.v2.loadPin(r, peer).catch(() => undefined);
      await r.engine.syncMembers(peer);
      r.lastSync.set(peer, Date.now());
    }
  }

  async archiveEnabled(): Promise<boolean> {
    const r = await this.#running();
    return (await r.engine.devices())?.archive ?? false;
  }

  /** Turns the history archive on or off (off: the server deletes it; new devices get no history). */
  async setArchive(on: boolean): Promise<void> {
    const r = await this.#running();
    await r.engine.setArchive(on);
  }
}
