/**
 * `session.devices`, the part of the session API the device commands use
 * (packages/client's LockboxSession; docs in its README). Declared here as
 * well so the CLI states exactly what it relies on; `devicesOf` fails with a
 * clear sentence on an SDK without it.
 */
import type { LockboxSession } from '@lockbox/client';
import { CliError } from './output';

export interface CliDeviceView {
  device_id: string;
  name: string;
  added_at: string;
  /** The server's word (unsigned); null when it has never seen the device. */
  last_seen_at: string | null;
  current: boolean;
}

export interface CliDevicesApi {
  status(): { state: 'ready' | 'unavailable'; reason?: string };
  current(): { device_id: string; name: string };
  list(): Promise<CliDeviceView[]>;
  revoke(deviceId: string): Promise<void>;
  archiveEnabled(): Promise<boolean>;
  setArchive(on: boolean): Promise<void>;
}

export const devicesOf = (s: LockboxSession): CliDevicesApi => {
  const devices = (s as LockboxSession & { devices?: CliDevicesApi }).devices;
  if (!devices) throw new Error('this build of the LockBox SDK has no device support');
  return devices;
};

/**
 * The device API once this device's E2E v2 engine is ready. When it is not, a
 * revoked or signed-out device fails here with the session-ended sentence
 * (the server check answers 401); otherwise the session's reason is shown.
 */
export const readyDevicesOf = async (s: LockboxSession): Promise<CliDevicesApi> => {
  const devices = devicesOf(s);
  const status = devices.status();
  if (status.state === 'ready') return devices;
  await s.account.whoami();
  throw new CliError(
    'devices_unavailable',
    `this device's end-to-end v2 keys are not available${status.reason ? ` (${status.reason})` : ''}; ` +
      'try again, or sign in again with `lockbox login <username>`',
  );
};
