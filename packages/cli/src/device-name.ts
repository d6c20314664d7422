/** The name this machine's device gets on the signed device list (1..64 characters). */
import os from 'node:os';
import { DEVICE_NAME_MAX } from '@lockbox/contracts';

/** `lockbox CLI on <hostname>`, cut to what the signed list can carry. */
export const defaultDeviceName = (hostname: string = os.hostname()): string => {
  const host = hostname.trim() || 'this computer';
  return `lockbox CLI on ${host}`.slice(0, DEVICE_NAME_MAX);
};

/** A `--device-name` value, trimmed; refused with a clear sentence when the list could not carry it. */
export const checkDeviceName = (name: string): string => {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > DEVICE_NAME_MAX)
    throw new Error(`a device name is 1 to ${DEVICE_NAME_MAX} characters (got ${trimmed.length})`);
  return trimmed;
};
