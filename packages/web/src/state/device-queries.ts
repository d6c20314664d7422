/**
 * The Devices panel's server state as TanStack Query queries: the device list
 * (verified signed list + last-seen hints) and the archive setting, both
 * refetched whenever the panel opens and invalidated after every change.
 */
import { type QueryClient, queryOptions } from '@tanstack/react-query';
import type { DeviceActions } from '../lib/account';

export const deviceKeys = {
  all: ['devices'] as const,
  list: ['devices', 'list'] as const,
  archive: ['devices', 'archive'] as const,
  status: ['devices', 'status'] as const,
};

// Each open of the panel asks again: another device may have been added or revoked meanwhile.
const fresh = { staleTime: 0, refetchOnMount: 'always' as const };

export const devicesStatusQuery = (devices: DeviceActions) =>
  queryOptions({ queryKey: deviceKeys.status, queryFn: async () => devices.status(), ...fresh });

export const devicesListQuery = (devices: DeviceActions, enabled: boolean) =>
  queryOptions({ queryKey: deviceKeys.list, queryFn: () => devices.list(), enabled, ...fresh });

export const archiveQuery = (devices: DeviceActions, enabled: boolean) =>
  queryOptions({ queryKey: deviceKeys.archive, queryFn: () => devices.archiveEnabled(), enabled, ...fresh });

export const invalidateDevices = (queries: QueryClient) =>
  queries.invalidateQueries({ queryKey: deviceKeys.all });
