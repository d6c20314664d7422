/** `session.devices` for the device commands, once this device's end-to-end v2 engine runs. */
import type { DevicesDomain, LockboxSession } from '@lockbox/client';
import { CliError } from './output';

/**
 * The device API once this device's E2E v2 engine runs (asking for this device waits for a start
 * in progress). When it does not, a revoked or signed-out device fails here with the signed-out
 * sentence (the server check answers 401); otherwise with the session's reason.
 */
export const readyDevicesOf = async (s: LockboxSession): Promise<DevicesDomain> => {
  const devices = s.devices;
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
