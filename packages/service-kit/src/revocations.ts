/**
 * Sessions auth has revoked (logout, refresh-token reuse), mirrored locally so
 * a service that verifies access tokens from the JWKS also refuses a revoked
 * session's still-unexpired tokens, without a network hop per request.
 *
 * It polls auth's `internal.revocationsSince` feed (about every second) and
 * keeps each revoked session id for one access-token lifetime: after that the
 * session's tokens are expired anyway. Until the first poll succeeds the list
 * is not trusted (`ensureSynced` answers 503), so a fresh instance never
 * accepts a token that was revoked while it was down.
 */
import { AppError } from './errors';
import type { Logger } from './logger';
import { ACCESS_TOKEN } from './tokens';

export interface RevocationPage {
  cursor: number;
  revoked: ReadonlyArray<{ session_id: string }>;
}

export interface RevocationListOptions {
  /** One page of the feed after `after` (auth's `internal.revocationsSince`). */
  fetchSince: (after: number) => Promise<RevocationPage>;
  log: Logger;
  intervalMs?: number;
  /** How long a revoked id is kept; default: access-token lifetime plus a minute of clock slack. */
  retainMs?: number;
  /** Pages are this long when more are waiting (auth answers at most 1000 per call). */
  pageSize?: number;
}

export interface RevocationList {
  isRevoked(sessionId: string): boolean;
  /** True once the feed has been read to its end at least once. */
  readonly synced: boolean;
  /** Resolves when synced (trying a poll now if not yet); throws 503 when the feed is unreachable. */
  ensureSynced(): Promise<void>;
  /** One poll now (tests, and the timer). */
  poll(): Promise<void>;
  start(): void;
  stop(): void;
}

export const createRevocationList = (opts: RevocationListOptions): RevocationList => {
  const intervalMs = opts.intervalMs ?? 1_000;
  const retainMs = opts.retainMs ?? (ACCESS_TOKEN.ttlSeconds + 60) * 1_000;
  const pageSize = opts.pageSize ?? 1_000;
  /** Session id → when it may be forgotten; a Map keeps insertion order, so the oldest come first. */
  const revoked = new Map<string, number>();
  let cursor = 0;
  let synced = false;
  let inFlight: Promise<void> | undefined;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;

  const forgetExpired = (now: number) => {
    for (const [sid, until] of revoked) {
      if (until > now) break;
      revoked.delete(sid);
    }
  };

  const readToEnd = async () => {
    for (;;) {
      const page = await opts.fetchSince(cursor);
      const until = Date.now() + retainMs;
      for (const r of page.revoked) {
        revoked.delete(r.session_id);
        revoked.set(r.session_id, until);
      }
      if (page.cursor <= cursor || page.revoked.length < pageSize) {
        cursor = Math.max(cursor, page.cursor);
        return;
      }
      cursor = page.cursor;
    }
  };

  const poll = () => {
    inFlight ??= readToEnd()
      .then(() => {
        if (failing) opts.log.info('revocation feed reachable again');
        failing = false;
        synced = true;
        forgetExpired(Date.now());
      })
      .catch((err: unknown) => {
        // One line per outage, not one per second.
        if (!failing) opts.log.warn({ err: (err as Error).message }, 'revocation feed unreachable');
        failing = true;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    isRevoked: (sessionId) => {
      const until = revoked.get(sessionId);
      return until !== undefined && until > Date.now();
    },
    get synced() {
      return synced;
    },
    ensureSynced: async () => {
      if (synced) return;
      await poll();
      if (!synced)
        throw new AppError('service_unavailable', 'cannot check sessions right now; try again', {
          retryAfter: 2,
        });
    },
    poll,
    start: () => {
      if (timer) return;
      void poll();
      timer = setInterval(() => void poll(), intervalMs);
      timer.unref();
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
};
