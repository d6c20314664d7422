/**
 * Issue 12's "archive read of 10,000 messages on a new device (≤ 10 s)": the
 * hook for that measurement. It is pending until @lockbox/client exports its
 * history-archive module on this branch. The SDK slice's branch has it as
 * `@lockbox/client/v2`: `HistoryArchive(transport, archiveKey, userId)` with
 * `readAll()` (pages of 200 through `V2Transport.archiveList`, each segment
 * opened and verified, deduplicated by message id, sorted), plus
 * `sealArchiveRecord` and `generateArchiveKey`.
 *
 * Once merged, this file does the measurement in the v2 bundle (a new
 * `archive` part of `V2KernelResult`, so it runs in plain Node like the MLS
 * rows): seal 10,000 records of 1 KB text payloads for one account as its
 * devices would have appended them, serve them from an in-memory
 * `archiveList` (keyset pages, as the auth service answers), and time a fresh
 * `HistoryArchive(...).readAll()` per run, checking that 10,000 records came
 * back and none was refused. Until then the report's row says "pending":
 * nothing is estimated in its place.
 */

export const ARCHIVE_MESSAGES = 10_000;
export const ARCHIVE_GOAL_S = 10;

export type ArchiveReadResult =
  | { status: 'pending'; why: string }
  | { status: 'measured'; messages: number; seconds: number[] };

export const measureArchiveRead = async (): Promise<ArchiveReadResult> => ({
  status: 'pending',
  why: 'the SDK’s archive module (`@lockbox/client/v2`, HistoryArchive) is not on this branch yet',
});
