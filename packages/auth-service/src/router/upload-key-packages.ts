/**
 * `keyPackages.upload` (POST /auth/key-packages): only for the device the
 * caller's session is bound to. Bytes are stored opaquely with their SHA-256;
 * a KeyPackage the device already uploaded (even one claimed since) is
 * skipped, so a retried upload can never make one be handed out twice. The
 * pool is capped; an upload that would pass the cap stores nothing (413).
 */
import { type AuthContract, KEY_PACKAGE_POOL_MAX } from '@lockbox/contracts';
import { AppError, type HandlersOf, type Queryable } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { requireSessionDevice } from '../devices/session-device';

type Handler = HandlersOf<AuthContract['keyPackages']>['upload'];

/**
 * Claimed KeyPackages keep their hash this long (their lifetime is 28 days, so
 * an older one is refused by every client anyway), then the row goes.
 */
const SPENT_HASH_KEEP = '35 days';

export const countKeyPackages = async (q: Queryable, deviceId: string) => {
  const [row] = await q.query<{ available: number; has_last_resort: boolean }>(
    `SELECT (count(*) FILTER (WHERE NOT last_resort AND claimed_at IS NULL))::int AS available,
            coalesce(bool_or(last_resort), false) AS has_last_resort
       FROM lockbox_auth.key_packages WHERE device_id = $1`,
    [deviceId],
  );
  return { available: Number(row?.available ?? 0), has_last_resort: row?.has_last_resort === true };
};

export const uploadKeyPackagesHandler =
  (deps: Pick<AuthDeps, 'db'>): Handler =>
  async ({ input, ctx }) => {
    const deviceId = await requireSessionDevice(deps.db, ctx.user.sessionId, input.device_id);
    return deps.db.transaction(async (tx) => {
      const [device] = await tx.query<{ revoked_at: Date | null }>(
        'SELECT revoked_at FROM lockbox_auth.devices WHERE id = $1 FOR UPDATE',
        [deviceId],
      );
      if (!device || device.revoked_at) throw new AppError('forbidden', 'this device has been revoked');
      await tx.query(
        `DELETE FROM lockbox_auth.key_packages
          WHERE device_id = $1 AND claimed_at < now() - interval '${SPENT_HASH_KEEP}'`,
        [deviceId],
      );
      // In upload order, so ids (and claims, oldest first) follow it: DISTINCT here reordered the rows.
      // A KeyPackage repeated within one upload is skipped by ON CONFLICT like a re-upload.
      if (input.key_packages.length > 0)
        await tx.query(
          `INSERT INTO lockbox_auth.key_packages (device_id, hash, bytes)
           SELECT $1::text, sha256(decode(b, 'base64')), decode(b, 'base64')
             FROM unnest($2::text[]) WITH ORDINALITY AS u(b, n) ORDER BY n
           ON CONFLICT (device_id, hash) DO NOTHING`,
          [deviceId, input.key_packages],
        );
      if (input.last_resort !== undefined) {
        await tx.query(
          `DELETE FROM lockbox_auth.key_packages
            WHERE device_id = $1 AND last_resort AND hash <> sha256(decode($2, 'base64'))`,
          [deviceId, input.last_resort],
        );
        await tx.query(
          `INSERT INTO lockbox_auth.key_packages (device_id, hash, bytes, last_resort)
           VALUES ($1, sha256(decode($2, 'base64')), decode($2, 'base64'), true)
           ON CONFLICT (device_id, hash) DO NOTHING`,
          [deviceId, input.last_resort],
        );
      }
      const count = await countKeyPackages(tx, deviceId);
      if (count.available > KEY_PACKAGE_POOL_MAX)
        throw new AppError(
          'payload_too_large',
          `a device keeps at most ${KEY_PACKAGE_POOL_MAX} KeyPackages on the server; upload fewer`,
        );
      return count;
    });
  };
