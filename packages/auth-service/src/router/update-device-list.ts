/**
 * `devices.update` (PUT /auth/devices): the next version of the signed list.
 * It may rename devices and change `archive`; it may not add a device
 * (devices.register binds a session to it) or change a device's key. Devices
 * it leaves out are revoked in the same transaction: their sessions end
 * (and every other session of the account not bound to a still-listed device)
 * through the revocation feed (so realtime drops their sockets and other
 * services refuse their tokens), their KeyPackages go, and their ids stay
 * taken for good. Turning `archive` off deletes the account's archive.
 */
import type { AuthContract } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { checkSignedList, entriesOf, lockStoredList, storedListOf, storeList } from '../devices/signed-list';

type Handler = HandlersOf<AuthContract['devices']>['update'];

export const updateDeviceListHandler =
  (deps: Pick<AuthDeps, 'db'>): Handler =>
  async ({ input, ctx }) => {
    const userId = ctx.user.id;
    const { signed, removed } = await deps.db.transaction(async (tx) => {
      const stored = await lockStoredList(tx, userId);
      if (!stored) throw new AppError('conflict', 'this account has no device list yet: register a device');
      const checked = await checkSignedList(tx, userId, input.device_list, stored);
      const previous = entriesOf(stored);
      for (const entry of checked.list.devices) {
        const before = previous.get(entry.device_id);
        if (!before)
          throw new AppError('invalid_input', 'add a device with POST /auth/devices, not in an update');
        if (before.signature_key !== entry.signature_key || before.added_at !== entry.added_at)
          throw new AppError('invalid_input', "a device's signature key and added_at cannot change");
      }
      const kept = new Set(checked.list.devices.map((d) => d.device_id));
      const removed = [...previous.keys()].filter((id) => !kept.has(id));
      await storeList(tx, userId, checked);
      if (removed.length > 0) {
        await tx.query(
          `UPDATE lockbox_auth.devices SET revoked_at = now()
            WHERE id = ANY($1::text[]) AND user_id = $2 AND revoked_at IS NULL`,
          [removed, userId],
        );
        // Every session not bound to a device still listed ends too (except this one): the revoked
        // device may have signed in again, and a re-login session is unbound until it re-binds.
        const ended = await tx.query<{ id: string }>(
          `UPDATE lockbox_auth.sessions SET revoked_at = now(), revoked_reason = 'device_revoked'
            WHERE user_id = $1 AND revoked_at IS NULL AND id <> $2
              AND (device_id IS NULL OR NOT (device_id = ANY($3::text[]))) RETURNING id`,
          [userId, ctx.user.sessionId, [...kept]],
        );
        if (ended.length > 0)
          await tx.query(
            'INSERT INTO lockbox_auth.revocations (session_id, user_id) SELECT unnest($1::text[]), $2',
            [ended.map((r) => r.id), userId],
          );
        await tx.query('DELETE FROM lockbox_auth.key_packages WHERE device_id = ANY($1::text[])', [removed]);
      }
      if (stored.archive && !checked.list.archive) {
        await tx.query('DELETE FROM lockbox_auth.archive_segments WHERE user_id = $1', [userId]);
        await tx.query('UPDATE lockbox_auth.device_lists SET archive_bytes = 0 WHERE user_id = $1', [userId]);
      }
      return { signed: storedListOf(checked), removed };
    });
    if (removed.length > 0) ctx.log.info({ revokedDevices: removed }, 'devices revoked');
    return { device_list: signed };
  };
