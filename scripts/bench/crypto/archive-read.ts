/**
 * Issue 12's "archive read of 10,000 messages on a new device (≤ 10 s)": the
 * hook for that measurement. It is pending until @lockbox/client exports its
 * history-archive module (the SDK's v2 archive: records sealed under the
 * archive key as v2-wire.md §3 describes, read back page by page).
 *
 * When it exists, this file does the measurement: seal 10,000 records for one
 * account as its devices would have appended them, hand them to a fresh
 * device through an in-memory archive transport in pages of the server's
 * limit, and time the SDK's whole read (open, verify, dedupe, order), from a
 * fresh process like the MLS runs. Until then the report's row says
 * "pending": nothing is estimated in its place.
 */

export const ARCHIVE_MESSAGES = 10_000;
export const ARCHIVE_GOAL_S = 10;

export type ArchiveReadResult =
  | { status: 'pending'; why: string }
  | { status: 'measured'; messages: number; seconds: number[] };

export const measureArchiveRead = async (): Promise<ArchiveReadResult> => ({
  status: 'pending',
  why: 'the SDK’s archive module is not in @lockbox/client yet',
});
