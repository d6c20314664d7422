/** What every connection shares: one settings-and-collaborators object, not one copy per socket. */
import type { ZNewMessageFrame } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import type { z } from 'zod';
import type { HistorySource } from '../delivery/history';
import type { FetchRetryWaits } from './fetch-waits';

export type NewMessageFrame = z.infer<typeof ZNewMessageFrame>;

/** Settings and collaborators every connection shares (one object, not one copy per socket). */
export interface ConnectionShared {
  history: HistorySource;
  log: Logger;
  sendBufferLimit: number;
  replayPage: number;
  framesPerSecond: number;
  abuseLimit: number;
  /** Waits between history fetch attempts, in ms; the last one repeats for as long as it takes. */
  fetchRetryDelays: readonly number[];
  /** Sockets waiting to retry a history fetch: a fetch that succeeds wakes them all. */
  fetchWaits: FetchRetryWaits;
  /** When a shared warning was last logged (one line per outage, not one per socket). */
  warnedAt: { history: number };
  /** A socket that does not drain its buffer within this long during a replay is closed with 1013. */
  drainTimeoutMs: number;
}
