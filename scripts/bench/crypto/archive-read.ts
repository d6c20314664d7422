/**
 * Issue 12's "archive read of 10,000 messages on a new device (≤ 10 s)", in
 * the v2 bundle (archive-kernel.ts does the work): one process seals the
 * archive as the account's devices would have appended it, then each run is
 * a fresh process, a new device, that reads all of it through
 * `HistoryArchive.readAll()` (pages of 200 from an in-process `archive.list`
 * answering as the auth service does, each segment opened, its tag checked,
 * deduplicated, sorted), with the machine's load during that run.
 *
 * The goal row's transport is in-process: the read's cost is the client's
 * (parse, zod, decrypt, HMAC, sort) plus the server's base64 and JSON of each
 * page; network and database time are not in it. `--archive-http-runs` adds
 * reads over HTTP against a real stack (archive-http.ts).
 */
import path from 'node:path';
import { type MachineLoad, withMachineLoad } from '../lib/proc-stats';
import { type ArchiveHttpResult, measureArchiveHttp } from './archive-http';
import type {
  ArchiveReadOptions,
  ArchiveReadRun,
  ArchiveSealOptions,
  ArchiveSealResult,
} from './archive-kernel';
import { runBundle } from './v2-bundle';

export const ARCHIVE_MESSAGES = 10_000;
export const ARCHIVE_GOAL_S = 10;
/** A 1 KB chat line, spread over conversations the way a long-used account's history is. */
const TEXT_BYTES = 1024;
const CONVERSATIONS = 20;

export interface ArchiveOptions {
  messages: number;
  runs: number;
  /** Reads over HTTP against a real stack after the in-process ones (0: none). */
  httpRuns: number;
}

export interface ArchiveRun {
  result: ArchiveReadRun;
  load: MachineLoad;
}

export type ArchiveReadResult =
  | { status: 'skipped'; why: string }
  | {
      status: 'measured';
      messages: number;
      conversations: number;
      textBytes: number;
      transport: 'in-process';
      seal: ArchiveSealResult;
      sealLoad: MachineLoad;
      runs: ArchiveRun[];
      http: ArchiveHttpResult | { failed: string } | undefined;
    };

export const measureArchiveRead = async (
  bundle: string,
  workDir: string,
  o: ArchiveOptions,
  progress: (m: string) => void,
): Promise<ArchiveReadResult> => {
  const file = path.join(workDir, 'archive.json');
  progress(`archive: sealing ${o.messages} records of ${TEXT_BYTES}-byte texts…`);
  const sealOptions: ArchiveSealOptions = {
    mode: 'archive-seal',
    file,
    messages: o.messages,
    conversations: CONVERSATIONS,
    textBytes: TEXT_BYTES,
  };
  const [seal, sealLoad] = await withMachineLoad(() => runBundle<ArchiveSealResult>(bundle, sealOptions));
  const runs: ArchiveRun[] = [];
  const readOptions: ArchiveReadOptions = { mode: 'archive-read', file };
  for (let i = 0; i < o.runs; i++) {
    progress(`archive: read ${i + 1}/${o.runs} (a fresh process, a new device)…`);
    const [result, load] = await withMachineLoad(() => runBundle<ArchiveReadRun>(bundle, readOptions));
    runs.push({ result, load });
  }
  let http: ArchiveHttpResult | { failed: string } | undefined;
  if (o.httpRuns > 0)
    try {
      http = await measureArchiveHttp(
        bundle,
        workDir,
        { messages: o.messages, runs: o.httpRuns, conversations: CONVERSATIONS, textBytes: TEXT_BYTES },
        progress,
      );
    } catch (e) {
      // The in-process rows stand on their own; the report says the HTTP run did not happen and why.
      http = { failed: (e as Error).message };
    }
  return {
    status: 'measured',
    messages: o.messages,
    conversations: CONVERSATIONS,
    textBytes: TEXT_BYTES,
    transport: 'in-process',
    seal,
    sealLoad,
    runs,
    http,
  };
};
