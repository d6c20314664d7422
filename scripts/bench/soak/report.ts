/** The soak's report: delivery totals, the server's record, the phases, a p99 chart, memory. */
import os from 'node:os';
import { bars, fmt, table } from '../lib/markdown';
import { header, percentile } from '../lib/report';
import { nodeVersion } from '../lib/tools';
import { RETRYABLE, statusName } from './clients';
import { LATE_FLOOR_MS, type SoakFigures } from './figures';
import type { SoakOptions } from './options';
import type { SoakPhase, soakTimeline } from './phases';
import type { SoakRecord } from './record';
import type { ServerRecord } from './server-record';

export interface SoakRun {
  startedAt: Date;
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  total: number;
  busyCores: number;
  sendsDueEnd: number;
  drainedAt: number;
  server: ServerRecord;
  phases: SoakPhase[];
  statuses: number[];
  timeline: ReturnType<typeof soakTimeline>;
  clean: boolean;
  names: string[];
  rssBefore: Record<string, number | undefined>;
  rssAfter: Record<string, number | undefined>;
  benchRssBefore: number;
  benchRssAfter: number;
}

const mark = (ok: boolean) => (ok ? '✅' : '❌');

export const soakReport = (opts: SoakOptions, rec: SoakRecord, f: SoakFigures, run: SoakRun): string => {
  const { committed, deliveredUnique, lost, duplicates, orderViolations, gaps, attempts, retries } = f;
  const { all, steady, dueTo201, commitToDelivered, lateMs } = f;
  const { startedAt, loadBefore, loadAfter, total, busyCores, sendsDueEnd, drainedAt, server } = run;
  const { phases, statuses, timeline, clean, names, rssBefore, rssAfter, benchRssBefore, benchRssAfter } =
    run;
  return [
    header({
      title: 'Soak: no loss under faults',
      startedAt,
      loadBefore,
      loadAfter,
      facts: [
        ['node', nodeVersion()],
        [
          'stack',
          'gateway, auth, messages, realtime ×2 (Redis fan-out), Postgres (fresh database), `LOG_LEVEL=warn`, all on loopback',
        ],
        [
          'load',
          `${opts.pairs} sender/recipient pairs, ${opts.rate} msgs/s in total for ${opts.durationS} s (${total} messages, ${opts.blobBytes}-byte envelopes), open loop`,
        ],
        [
          'faults',
          `SIGKILL realtime-1 at ${fmt(opts.durationS / 3, 0)} s and messages at ${fmt((2 * opts.durationS) / 3, 0)} s, each restarted after ${opts.downS} s down`,
        ],
        [
          'clients',
          `a send that gets ${[...RETRYABLE].map(statusName).join(', ')} is retried with the same client_msg_id (backoff 0.1 s doubling to 2 s, ±50%, up to ${opts.maxAttempts} attempts); a socket that closes reconnects (0.1 s doubling to 2 s) with \`?after=<last cursor>\``,
        ],
        ['machine busy during the run', `${fmt(busyCores, 2)} of ${os.cpus().length} cores on average`],
        ['verdict', clean ? '✅ every committed message delivered once, in order' : '❌ see below'],
      ],
    }),
    '',
    '## Delivery',
    '',
    table(
      ['', 'value', 'must be'],
      [
        ['messages', total, ''],
        ['send attempts', attempts, ''],
        ['retries (attempts beyond the first)', retries, ''],
        ['retries answered with an earlier attempt’s commit (its 201 was lost)', rec.replayed, ''],
        ['committed (a 201 reached the client)', committed.length, ''],
        [
          'gave up (never a 201)',
          rec.gaveUp.size
            ? `${rec.gaveUp.size} (last answers: ${[...new Set(rec.gaveUp.values())].map(statusName).join(', ')})`
            : 0,
          `0 ${mark(rec.gaveUp.size === 0)}`,
        ],
        ['delivered unique (committed messages)', deliveredUnique, ''],
        ['**lost** (committed − delivered unique)', lost, `0 ${mark(lost === 0)}`],
        ['**duplicates** (a cursor the recipient already had)', duplicates, `0 ${mark(duplicates === 0)}`],
        [
          '**ordering violations** (a new cursor below the last one)',
          orderViolations,
          `0 ${mark(orderViolations === 0)}`,
        ],
        [
          'one message under two cursors, or at the wrong recipient',
          rec.deliveredTwice + rec.misrouted,
          `0 ${mark(rec.deliveredTwice + rec.misrouted === 0)}`,
        ],
        ['gaps seen live (filled later)', gaps, ''],
        [
          'send→deliver p50 / p99 / max (all)',
          `${fmt(percentile(all, 0.5))} / ${fmt(percentile(all, 0.99))} / ${fmt(all.at(-1) ?? Number.NaN)} ms`,
          '',
        ],
        ['of which due → 201 (retries included) p50 / p99 / max', dueTo201, ''],
        ['and 201 → delivered p50 / p99 / max (negative: the frame came first)', commitToDelivered, ''],
        [
          'send→deliver p50 / p99 before any fault',
          `${fmt(percentile(steady, 0.5))} / ${fmt(percentile(steady, 0.99))} ms`,
          '',
        ],
        ['drain', `${fmt((drainedAt - sendsDueEnd) / 1000, 1)} s after the last send was due`, ''],
      ],
      ['l', 'r', 'l'],
    ),
    '',
    '## The server’s record (GET /messages, every recipient, paged)',
    '',
    table(
      ['', 'count', 'must be'],
      [
        [
          'stored messages of this run',
          server.stored,
          `${committed.length} (committed) ${mark(server.stored === committed.length)}`,
        ],
        ['committed but not stored', server.committedNotStored, `0 ${mark(server.committedNotStored === 0)}`],
        ['stored twice (same client_msg_id)', server.storedTwice, `0 ${mark(server.storedTwice === 0)}`],
        [
          'stored but never delivered',
          server.storedNotDelivered,
          `0 ${mark(server.storedNotDelivered === 0)}`,
        ],
        ['delivered but not stored', server.deliveredNotStored, `0 ${mark(server.deliveredNotStored === 0)}`],
        [
          'delivered under another cursor than stored',
          server.cursorMismatch,
          `0 ${mark(server.cursorMismatch === 0)}`,
        ],
        ['stored but the client never got a 201', server.storedNotCommitted, ''],
        [
          'cursors not increasing in the pages',
          server.unorderedPages,
          `0 ${mark(server.unorderedPages === 0)}`,
        ],
        ['messages not from this run', server.foreign, `0 ${mark(server.foreign === 0)}`],
      ],
      ['l', 'r', 'l'],
    ),
    '',
    '## Phases',
    '',
    `A message is late when its send→deliver time exceeds ${fmt(lateMs)} ms (3× the p99 before any fault, at least ${LATE_FLOOR_MS} ms). A phase runs from a kill to the next kill (the last to the end of the drain): "disturbed for" is the time from the kill to the last late delivery in the phase; "msgs due" and the latency columns count the messages due in it; answers are counted when they arrived.`,
    '',
    table(
      [
        'phase',
        'back ready after',
        'sockets dropped',
        'all reopened after',
        'sends 201 again after',
        'disturbed for',
        'late msgs',
        'msgs due',
        'p50 ms',
        'p99 ms',
        'max ms',
        'max 201→delivered ms',
      ],
      phases.map((p) => [
        p.name,
        p.fault ? `${fmt((p.fault.readyAt - p.fault.killAt) / 1000, 1)} s (${opts.downS} s down)` : '—',
        p.socketsDropped,
        p.socketsBackMs === undefined ? '—' : `${fmt(p.socketsBackMs / 1000, 2)} s`,
        p.sendsOkAgainMs === undefined ? '—' : `${fmt(p.sendsOkAgainMs / 1000, 2)} s`,
        p.recoveredMs === undefined ? '—' : `${fmt(p.recoveredMs / 1000, 2)} s`,
        p.late,
        p.due,
        fmt(p.p50),
        fmt(p.p99),
        fmt(p.max),
        fmt(p.maxAfterCommit),
      ]),
    ),
    '',
    '### Send answers by status, per phase',
    '',
    table(
      ['phase', 'attempts', ...statuses.map(statusName)],
      phases.map((p) => [p.name, p.answers, ...statuses.map((s) => p.byStatus.get(s) ?? 0)]),
    ),
    '',
    '### p99 send→deliver by due time',
    '',
    bars(timeline),
    '',
    '## Memory (RSS, MiB)',
    '',
    table(
      ['process', 'before the sends', 'after the drain', ''],
      [
        ...names.map((n) => [
          n,
          fmt(rssBefore[n] ?? Number.NaN, 0),
          fmt(rssAfter[n] ?? Number.NaN, 0),
          rec.faults.some((f) => f.process === n) ? 'restarted mid-run: a new process' : '',
        ]),
        ['soak (load generator, sockets, records)', fmt(benchRssBefore, 0), fmt(benchRssAfter, 0), ''],
      ],
    ),
  ].join('\n');
};
