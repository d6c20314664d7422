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
  /** This device; throws (code `device_unavailable`) when v2 is not running here. */
  current(): Promise<{ device_id: string; name: string }> | { device_id: string; name: string };
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
 * The device API once this device's E2E v2 engine runs (asking for this device waits for a start
 * in progress). When it does not, a revoked or signed-out device fails here with the signed-out
 * sentence (the server check answers 401); otherwise with the session's reason.
 */
export const readyDevicesOf = async (s: LockboxSession): Promise<CliDevicesApi> => {
  const devices = devicesOf(s);
  try {
    await devices.current();
    return devices;
  } catch (err) {
    if ((err as { code?: unknown })?.code !== 'device_unavailable' && devices.status().state === 'ready')
      throw err;
    await s.account.whoami();
    const reason = devices.status().reason;
    throw new CliError(
      'device_unavailable',
      `end-to-end v2 is not running on this device${reason ? ` (${reason})` : ''}, and device commands need it; ` +
        'try again, or sign in again with `lockbox login <username>`',
    );
  }
};
