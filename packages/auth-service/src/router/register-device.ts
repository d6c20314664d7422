/**
 * `devices.register` (POST /auth/devices): the next signed list must be the
 * previous one plus this device (nothing else changed, nothing removed), and
 * the caller's session is bound to the device, all in one transaction. A
 * device id that was ever used (revoked, or another account's) is refused for
 * good. A device already on the list may bind a new session of the same
 * account (a re-login on that device): then the list must add nothing.
 */
import type { AuthContract } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { type DeviceRow, deviceInfoOf } from '../devices/session-device';
import {
  checkSignedList,
  entriesOf,
  lockStoredList,
  sameEntry,
  storedListOf,
  storeList,
} from '../devices/signed-list';

type Handler = HandlersOf<AuthContract['devices']>['register'];

export const registerDeviceHandler =
  (deps: Pick<AuthDeps, 'db'>): Handler =>
  async ({ input, ctx }) => {
    const userId = ctx.user.id;
    const deviceId = input.device_id;
    const result = await deps.db.transaction(async (tx) => {
      const stored = await lockStoredList(tx, userId);
      const [session] = await tx.query<{ device_id: string | null }>(
        'SELECT device_id FROM lockbox_auth.sessions WHERE id = $1 FOR UPDATE',
        [ctx.user.sessionId],
      );
      if (session?.device_id)
        throw new AppError(
          'conflict',
          'this session is already bound to a device; sign in again for another',
        );
      const checked = await checkSignedList(tx, userId, input.device_list, stored);
      const previous = entriesOf(stored);
      const next = new Map(checked.list.devices.map((d) => [d.device_id, d]));
      if (!next.has(deviceId))
        throw new AppError('invalid_input', 'the new device list must contain device_id');
      for (const [id, entry] of previous) {
        const kept = next.get(id);
        if (!kept || !sameEntry(entry, kept))
          throw new AppError(
            'invalid_input',
            'registering may only add this device: every other entry must stay as it was',
          );
      }
      if (stored && checked.list.archive !== stored.archive)
        throw new AppError('invalid_input', 'change the archive setting with PUT /auth/devices');
      const rebind = previous.has(deviceId);
      if (next.size !== previous.size + (rebind ? 0 : 1))
        throw new AppError('invalid_input', 'registering may add this one device only');
      const [existing] = await tx.query<DeviceRow & { user_id: string; revoked_at: Date | null }>(
        'SELECT id, user_id, created_at, last_seen_at, revoked_at FROM lockbox_auth.devices WHERE id = $1 FOR UPDATE',
        [deviceId],
      );
      let device: DeviceRow;
      if (rebind) {
        if (!existing || existing.user_id !== userId || existing.revoked_at)
          throw new AppError('conflict', 'that device is not an active device of this account');
        device = existing;
      } else {
        if (existing)
          throw new AppError('conflict', 'that device id was used before and can never be registered again');
        const [created] = await tx.query<DeviceRow>(
          `INSERT INTO lockbox_auth.devices (id, user_id) VALUES ($1, $2)
           RETURNING id, created_at, last_seen_at`,
          [deviceId, userId],
        );
        device = created as DeviceRow;
      }
      await storeList(tx, userId, checked);
      await tx.query('UPDATE lockbox_auth.sessions SET device_id = $2 WHERE id = $1', [
        ctx.user.sessionId,
        deviceId,
      ]);
      return { device_list: storedListOf(checked), device: deviceInfoOf(device, deviceId) };
    });
    ctx.log.info({ deviceId }, 'device registered');
    return result;
  };
