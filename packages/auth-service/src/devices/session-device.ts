/** Which device the caller's session is bound to (sessions.device_id), and what the server saw of devices. */
import type { TDeviceInfo } from '@lockbox/contracts';
import { AppError, type Queryable } from '@lockbox/service-kit';

export const sessionDeviceOf = async (q: Queryable, sessionId: string): Promise<string | null> => {
  const [row] = await q.query<{ device_id: string | null }>(
    'SELECT device_id FROM lockbox_auth.sessions WHERE id = $1',
    [sessionId],
  );
  return row?.device_id ?? null;
};

/** The session's device, or 403 when it has none or it is not the one the request names. */
export const requireSessionDevice = async (
  q: Queryable,
  sessionId: string,
  claimed?: string,
): Promise<string> => {
  const deviceId = await sessionDeviceOf(q, sessionId);
  if (!deviceId) throw new AppError('forbidden', 'this session is bound to no device: register one first');
  if (claimed !== undefined && claimed !== deviceId)
    throw new AppError('forbidden', 'device_id is not the device this session is bound to');
  return deviceId;
};

export interface DeviceRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
}

export const deviceInfoOf = (row: DeviceRow, currentDeviceId: string | null): TDeviceInfo => ({
  device_id: row.id,
  created_at: new Date(row.created_at).toISOString(),
  last_seen_at: new Date(row.last_seen_at).toISOString(),
  current: row.id === currentDeviceId,
});

/**
 * Marks the session's device as seen, at most once a minute: the read is part of
 * the session check every request makes anyway, and the write happens only when
 * the stored time is over a minute old (and only one instance's write matches).
 */
export const SESSION_CHECK_SQL = `
  SELECT s.device_id, (d.last_seen_at < now() - interval '1 minute') AS stale
    FROM lockbox_auth.sessions s LEFT JOIN lockbox_auth.devices d ON d.id = s.device_id
   WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`;

export const TOUCH_DEVICE_SQL = `
  UPDATE lockbox_auth.devices SET last_seen_at = now()
   WHERE id = $1 AND last_seen_at < now() - interval '1 minute'`;
