/**
 * The Devices panel's server state as TanStack Query queries: the device list
 * (verified signed list + last-seen hints) and the archive setting, both
 * refetched whenever the panel opens and invalidated after every change.
 */
import { SessionError } from '@lockbox/client';
import { type QueryClient, queryOptions } from '@tanstack/react-query';
import type { DeviceActions } from '../lib/account';

export const deviceKeys = {
  all: ['devices'] as const,
  list: ['devices', 'list'] as const,
  archive: ['devices', 'archive'] as const,
};

// Each open of the panel asks again: another device may have been added or revoked meanwhile.
const fresh = { staleTime: 0, refetchOnMount: 'always' as const };

export const devicesListQuery = (devices: DeviceActions) =>
  queryOptions({ queryKey: deviceKeys.list, queryFn: () => devices.list(), ...fresh });

export const archiveQuery = (devices: DeviceActions) =>
  queryOptions({ queryKey: deviceKeys.archive, queryFn: () => devices.archiveEnabled(), ...fresh });

/** The session's "E2E v2 does not run on this device" (the panel then explains instead of erroring). */
export const isUnavailable = (err: unknown): boolean =>
  err instanceof SessionError && err.code === 'device_unavailable';

export const invalidateDevices = (queries: QueryClient) =>
  queries.invalidateQueries({ queryKey: deviceKeys.all });
