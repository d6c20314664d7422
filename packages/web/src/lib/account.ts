/**
 * Account actions the signed-in screens need beyond chatting (kept out of
 * ChatBackend, which is about conversations): App wires them to the session.
 */
import type { LockboxSession } from '@lockbox/client';

/** One of the account's devices, as the session shows it (name and added date from the verified signed list). */
export interface DeviceView {
  device_id: string;
  name: string;
  added_at: string;
  /** Server-observed, unsigned: a hint, not a proof. */
  last_seen_at: string | null;
  current: boolean;
}

export interface DevicesStatus {
  state: 'ready' | 'unavailable';
  reason?: string | undefined;
}

export interface DeviceActions {
  /** Read after a `device_unavailable` failure, for the reason (it says 'unavailable' while starting too). */
  status(): DevicesStatus;
  list(): Promise<DeviceView[]>;
  /** Never the current device (the session refuses it too). */
  revoke(deviceId: string): Promise<void>;
  archiveEnabled(): Promise<boolean>;
  setArchive(on: boolean): Promise<void>;
}

export interface AccountActions {
  /** Re-seals the vault under a new password; `rotateKeys` also makes and publishes new identity keys. */
  changePassword(current: string, next: string, rotateKeys: boolean): Promise<void>;
  devices: DeviceActions;
}

export const sessionAccount = (session: LockboxSession): AccountActions => ({
  changePassword: (current, next, rotateKeys) =>
    session.account.changePassword(current, next, { rotateKeys }),
  devices: {
    status: () => session.devices.status(),
    list: () => session.devices.list(),
    revoke: (deviceId) => session.devices.revoke(deviceId),
    archiveEnabled: () => session.devices.archiveEnabled(),
    setArchive: (on) => session.devices.setArchive(on),
  },
});
