/** The archive read's part of the crypto report: the goal row and every read with the machine's load. */
import { fmt, table, verdict } from '../lib/markdown';
import { formatMachineLoad } from '../lib/proc-stats';
import { median } from '../lib/report';
import { ARCHIVE_GOAL_S, ARCHIVE_MESSAGES, type ArchiveReadResult } from './archive-read';

/** "1.23 (1.10–1.30)": the median of the runs and their range. */
const spread = (xs: number[], digits?: number) =>
  xs.length === 1
    ? fmt(xs[0] as number, digits)
    : `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

export const archiveGoalRow = (a: ArchiveReadResult): string[] => {
  if (a.status !== 'measured')
    return [
      `archive read of ${fmt(ARCHIVE_MESSAGES)} messages on a new device`,
      `not measured (${a.why})`,
      `≤ ${ARCHIVE_GOAL_S} s`,
    ];
  const seconds = a.runs.map((r) => r.result.readMs / 1000);
  const cpu = a.runs.map((r) => r.result.readCpuS);
  return [
    `archive read of ${fmt(a.messages)} messages on a new device (in-process transport)`,
    `${spread(seconds, 2)} s wall, ${spread(cpu, 2)} s CPU`,
    `≤ ${ARCHIVE_GOAL_S} s ${verdict(median(seconds) <= ARCHIVE_GOAL_S)}`,
  ];
};

const httpPart = (h: Extract<ArchiveReadResult, { status: 'measured' }>['http']): string => {
  if (h === undefined) return 'Over HTTP: not run (`--archive-http-runs 0`).';
  if ('failed' in h) return `Over HTTP: the run failed (${h.failed}).`;
  return [
    `Over HTTP against a real stack (testkit's gateway + auth service on ${h.engine}; the same kind of archive sealed for a registered account whose signed device list turns the archive on, appended through \`POST /auth/archive\` in batches of 100 in ${fmt(h.appendS, 1)} s), each read a fresh process calling \`GET /auth/archive\` through the gateway. The stack's processes share the machine with the reader, so the wall time holds theirs too; "stack CPU" is the gateway's and the auth service's during the read (the database server is shared and not counted), and "others" excludes the reader and the stack:`,
    '',
    table(
      [
        'read over HTTP',
        'wall s',
        'CPU s of the reader',
        'stack CPU s',
        'pages',
        'machine during the process',
      ],
      h.runs.map((r, i) => [
        i + 1,
        fmt(r.result.readMs / 1000, 2),
        fmt(r.result.readCpuS, 2),
        fmt(r.stackCpuS, 2),
        r.result.pages,
        formatMachineLoad(r.load, r.result.processCpuS + r.stackCpuS),
      ]),
    ),
  ].join('\n');
};

export const archiveSection = (a: ArchiveReadResult): string => {
  if (a.status !== 'measured') return `Archive read: not measured (${a.why}).`;
  const first = a.runs[0]?.result;
  return [
    `### History archive: ${fmt(a.messages)} messages read by a new device`,
    '',
    `One process sealed the archive with the SDK's \`sealArchiveRecord\` (${fmt(a.messages)} records of ${fmt(a.textBytes)}-character texts in ${a.conversations} conversations, interleaved): ${fmt(a.seal.sealMs / 1000, 2)} s, ${fmt(a.seal.blobBytes / 1024 / 1024, 1)} MiB of blobs (machine: ${formatMachineLoad(a.sealLoad, a.seal.processCpuS)}). Each read is then a fresh process (nothing warm, as on a new device) timing \`new HistoryArchive(transport, key, userId).readAll()\`: pages of 200 from an in-process \`archive.list\` that answers as the auth service does (keyset page, base64 fields, serialised to JSON and parsed back), each page checked by the SDK's zod schema, each segment decrypted (XChaCha20-Poly1305) and its tag checked (HMAC-SHA256), deduplicated and sorted. Every read returned all ${fmt(a.messages)} records in order, none refused. Not in it: the network and the database (the transport is in-process); the server's base64 and JSON per page are.`,
    '',
    first ? `Per read: ${first.pages} pages, ${fmt(first.jsonBytes / 1024 / 1024, 1)} MiB of JSON.` : '',
    '',
    table(
      ['read', 'wall s', 'CPU s of the read', 'process CPU s', 'machine during the process'],
      a.runs.map((r, i) => [
        i + 1,
        fmt(r.result.readMs / 1000, 2),
        fmt(r.result.readCpuS, 2),
        fmt(r.result.processCpuS, 2),
        formatMachineLoad(r.load, r.result.processCpuS),
      ]),
    ),
    '',
    httpPart(a.http),
  ].join('\n');
};
