/**
 * `keyPackages.claim` (POST /auth/key-packages/claim): one KeyPackage for each
 * active device of a user, except the caller's own session device. A one-time
 * KeyPackage is taken by a single statement that locks one unclaimed row
 * (skipping rows another claimer holds) and clears its bytes, so under any
 * concurrency — Postgres with many instances, or PGlite's one connection —
 * each is handed out exactly once. An empty pool gives the last-resort one,
 * which stays. Rate-limited per caller: claiming drains other people's pools.
 */
import type { AuthContract, TClaimedKeyPackage } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { sessionDeviceOf } from '../devices/session-device';

type Handler = HandlersOf<AuthContract['keyPackages']>['claim'];

/**
 * The claimed row's bytes come from the locking subquery; the outer
 * `claimed_at IS NULL` re-check makes a row that was taken meanwhile match
 * nothing rather than be returned twice.
 */
export const CLAIM_ONE_SQL = `
  UPDATE lockbox_auth.key_packages k SET bytes = NULL, claimed_at = now()
    FROM (SELECT id, bytes FROM lockbox_auth.key_packages
           WHERE device_id = $1 AND NOT last_resort AND claimed_at IS NULL
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) p
   WHERE k.id = p.id AND k.claimed_at IS NULL
  RETURNING p.bytes`;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export const claimKeyPackagesHandler =
  (deps: Pick<AuthDeps, 'db' | 'limits'>): Handler =>
  async ({ input, ctx }) => {
    await deps.limits.keyPackageClaimsPerUser.consume(ctx.user.id);
    const own = await sessionDeviceOf(deps.db, ctx.user.sessionId);
    const claimed = await deps.db.transaction(async (tx) => {
      const devices = await tx.query<{ id: string }>(
        `SELECT id FROM lockbox_auth.devices
          WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2::text ORDER BY created_at, id`,
        [input.user_id, own],
      );
      const out: TClaimedKeyPackage[] = [];
      const empty: string[] = [];
      for (const { id } of devices) {
        const [row] = await tx.query<{ bytes: Uint8Array }>(CLAIM_ONE_SQL, [id]);
        if (row) out.push({ device_id: id, key_package: b64(row.bytes), last_resort: false });
        else empty.push(id);
      }
      if (empty.length > 0) {
        const lastResorts = await tx.query<{ device_id: string; bytes: Uint8Array }>(
          `SELECT device_id, bytes FROM lockbox_auth.key_packages
            WHERE device_id = ANY($1::text[]) AND last_resort`,
          [empty],
        );
        for (const r of lastResorts)
          out.push({ device_id: r.device_id, key_package: b64(r.bytes), last_resort: true });
      }
      return out;
    });
    return { key_packages: claimed };
  };
