/**
 * No-loss soak (RELIABILITY.md, Load): the whole stack — gateway, auth,
 * messages, two realtime instances fanned out through Redis, a fresh Postgres
 * database — under a steady message load for a bounded time, with a
 * realtime instance SIGKILLed at a third of the run and the message service at
 * two thirds, each restarted a few seconds later.
 *
 * The clients behave like real ones: a send that fails (network error, 429,
 * 502, 503, 504) is retried with the same client_msg_id, with backoff, until
 * it commits (201); a recipient's WebSocket that closes reconnects with
 * backoff and resumes after the last cursor it got. Open loop: a message is
 * due at its time whatever happened to earlier ones, and its due time rides in
 * the envelope, so send→deliver latency includes retries and queueing.
 *
 * After a drain it reports sent attempts, committed, delivered, duplicates
 * (a cursor a recipient already had: the exactly-once promise is per cursor),
 * lost (committed − delivered), ordering violations (a new cursor lower than
 * the last), retries, latency, answers by status in each phase, how long each
 * kill disturbed delivery, and each process's memory before and after; then
 * reads every recipient's stream back (GET /messages) and checks the server's
 * record matches what was committed and delivered. Exits 1 when anything was
 * lost, duplicated, out of order or missing from the record.
 *
 *   node --import tsx scripts/bench/soak.ts [--pairs 20] [--rate 100] [--duration 60] [--down 3]
 *        [--drain 20] [--database-url postgres://…] [--redis-url redis://…] [--keep]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { client } from '../../packages/testkit/src/client';
import { readStream } from '../../packages/testkit/src/messaging';
import { closeHttp, httpCall } from './lib/http-call';
import { bars, fmt, table, writeResults } from './lib/markdown';
import { decodeNote, encodeNote, nowMs, paceOpenLoop, registerPairs, sleep } from './lib/message-load';
import { BENCH_ENV } from './lib/node-servers';
import { loadAverage, machineBusyS } from './lib/proc-stats';
import { stopAll } from './lib/processes';
import { CursorStream, closeRecipientSockets, openRecipientSocket } from './lib/recipient-socket';
import { header, percentile } from './lib/report';
import { runBench } from './lib/run-bench';
import { stackRssMb, startBenchStack } from './lib/stack';
import { nodeVersion } from './lib/tools';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    duration: { type: 'string', default: '60' },
    down: { type: 'string', default: '3' },
    drain: { type: 'string', default: '20' },
    'max-attempts': { type: 'string', default: '30' },
    'blob-bytes': { type: 'string', default: '256' },
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`No-loss soak: steady sends through the gateway, a realtime instance and the message
service killed and restarted mid-run; every committed message must arrive once, in order.

  node --import tsx scripts/bench/soak.ts [options]

  --pairs N            sender/recipient pairs (default 20)
  --rate N             messages per second, all senders together (default 100)
  --duration S         seconds of sends (default 60; realtime-1 killed at 1/3, messages at 2/3)
  --down S             seconds a killed process stays down before its restart (default 3)
  --drain S            after the sends, give up waiting for deliveries after S quiet seconds (default 20)
  --max-attempts N     attempts per send before the client gives up (default 30; backoff 0.1 s doubling to 2 s)
  --blob-bytes N       envelope size (default 256)
  --database-url URL   admin URL of the Postgres server (default TEST_DATABASE_URL); a fresh database is made and dropped
  --redis-url URL      Redis for the realtime fan-out (default REDIS_URL)
  --keep               keep the stack's temp dir (logs) after a clean run
`);
  process.exit(0);
}

const num = (name: string, min: number, max = Number.POSITIVE_INFINITY) => {
  const n = Number((args as Record<string, unknown>)[name]);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number in ${min}…${max}`);
  return n;
};
const PAIRS = num('pairs', 1);
const RATE = num('rate', 1);
// Access tokens live 15 minutes and the soak never refreshes them.
const DURATION_S = num('duration', 6, 600);
const DOWN_S = num('down', 0, 60);
const DRAIN_S = num('drain', 1, 120);
const MAX_ATTEMPTS = num('max-attempts', 1);
const BLOB_BYTES = num('blob-bytes', 64);
const ADMIN_DB_URL = args['database-url'] ?? process.env.TEST_DATABASE_URL;
const REDIS_URL = args['redis-url'] ?? process.env.REDIS_URL;
if (!ADMIN_DB_URL) throw new Error('the soak runs on Postgres: set TEST_DATABASE_URL or pass --database-url');
if (!REDIS_URL)
  throw new Error('two realtime instances fan out through Redis: set REDIS_URL or pass --redis-url');

/** What a client does with an answer: done, try again later, or give up. */
const RETRYABLE = new Set([0, 429, 502, 503, 504]);
const backoffMs = (attempt: number) => Math.min(2_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
/** A message is "late" when its send→deliver time is over this, or 3× the p99 before any fault. */
const LATE_FLOOR_MS = 250;

// ---- what the run records -----------------------------------------------------------------

interface Attempt {
  /** When the answer came (ms, performance clock + timeOrigin). */
  at: number;
  status: number;
}

interface FaultRecord {
  process: string;
  killAt: number;
  restartAt: number;
  readyAt: number;
}

interface SocketEvent {
  at: number;
  kind: 'dropped' | 'reopened';
  code?: number;
}

class SoakRecord {
  readonly ids: string[];
  readonly intended: Float64Array;
  readonly committedAt: Float64Array;
  readonly deliveredAt: Float64Array;
  readonly deliveredCursor: Float64Array;
  /** Final answer of a send that never committed (its last status). */
  readonly gaveUp = new Map<number, number>();
  readonly answers: Attempt[] = [];
  readonly socketEvents: SocketEvent[] = [];
  readonly faults: FaultRecord[] = [];
  /** Frames of one message under a second cursor (stored twice), or for the wrong recipient. */
  deliveredTwice = 0;
  misrouted = 0;
  /** Retries answered with the commit of an earlier attempt whose answer was lost (the idempotent path). */
  replayed = 0;
  lastDeliveryAt = 0;

  constructor(readonly total: number) {
    this.ids = Array.from({ length: total }, () => randomUUID());
    this.intended = new Float64Array(total);
    this.committedAt = new Float64Array(total);
    this.deliveredAt = new Float64Array(total);
    this.deliveredCursor = new Float64Array(total);
  }

  committed(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.total; i++) if (this.committedAt[i]) out.push(i);
    return out;
  }

  /** Committed and not (yet) delivered. */
  undelivered(): number[] {
    return this.committed().filter((i) => !this.deliveredAt[i]);
  }
}

// ---- the clients ---------------------------------------------------------------------------

/** One message, sent like a client: retried with the same client_msg_id until it commits. */
const sendUntilCommitted = async (
  rec: SoakRecord,
  index: number,
  port: number,
  body: string,
  token: string,
): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    const startedWallMs = Date.now();
    const answer = await httpCall(port, 'POST', '/messages/send', body, token, 10_000);
    const { status } = answer;
    const at = nowMs();
    rec.answers.push({ at, status });
    if (status === 201) {
      rec.committedAt[index] = at;
      // Stored before this attempt was even sent (same clock): an earlier attempt committed it.
      if (attempt > 1 && Date.parse(JSON.parse(answer.body).created_at) < startedWallMs) rec.replayed++;
      return;
    }
    if (!RETRYABLE.has(status) || attempt >= MAX_ATTEMPTS) {
      rec.gaveUp.set(index, status);
      return;
    }
    await sleep(backoffMs(attempt));
  }
};

// ---- the run -------------------------------------------------------------------------------

await runBench('soak', { keep: args.keep === true }, async (_workDir, progress) => {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  progress(
    `${PAIRS} pairs, ${RATE} msgs/s for ${DURATION_S} s; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  process.env.REDIS_URL = REDIS_URL;
  progress('starting gateway, auth, messages, realtime ×2 (Redis fan-out) on a fresh Postgres database…');
  const stack = await startBenchStack({
    engine: 'postgres',
    postgresAdminUrl: ADMIN_DB_URL,
    services: ['auth', 'messages', 'realtime'],
    instances: { realtime: 2 },
    env: {
      ...BENCH_ENV,
      RL_REGISTER_PER_IP: '1000000',
      RL_LOGIN_PER_IP: '1000000',
      RL_CHAT_REQUESTS_PER_USER: '1000000',
    },
    gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
  });
  const stackDir = path.dirname(stack.logDir);
  progress(`stack up; its logs: ${stack.logDir}`);
  const gw = Number(new URL(stack.gatewayUrl).port);

  try {
    progress(`registering ${PAIRS} pairs and making them contacts…`);
    const pairs = await registerPairs(gw, PAIRS);
    const total = Math.round(RATE * DURATION_S);
    const rec = new SoakRecord(total);

    progress('opening the recipients’ sockets through the gateway…');
    const streams = pairs.map(() => new CursorStream());
    const sockets = await Promise.all(
      pairs.map((p, r) =>
        openRecipientSocket({
          url: (after) => `ws://127.0.0.1:${gw}/ws?after=${after}`,
          protocols: ['lockbox.v1', `bearer.${p.recipient.token}`],
          stream: streams[r] as CursorStream,
          reconnect: { firstMs: 100, maxMs: 2_000 },
          onClose: (code) => rec.socketEvents.push({ at: nowMs(), kind: 'dropped', code }),
          onOpen: (reconnected) => {
            if (reconnected) rec.socketEvents.push({ at: nowMs(), kind: 'reopened' });
          },
          onMessage: (data, cursor) => {
            if (!cursor || cursor.duplicate || !data.encrypted_blob) return;
            const { index, intendedMs } = decodeNote(data.encrypted_blob);
            if (index % PAIRS !== r || rec.ids[index] !== data.client_msg_id) {
              rec.misrouted++;
              return;
            }
            if (rec.deliveredAt[index]) {
              rec.deliveredTwice++;
              return;
            }
            const now = nowMs();
            rec.deliveredAt[index] = now;
            rec.deliveredCursor[index] = Number(data.cursor);
            rec.intended[index] = intendedMs;
            rec.lastDeliveryAt = now;
          },
        }),
      ),
    );

    const rssBefore = stackRssMb(stack);
    const benchRssBefore = process.memoryUsage().rss / 2 ** 20;
    const busyBefore = machineBusyS();
    const signature = randomBytes(64).toString('base64');
    const t0 = nowMs() + 50;
    const at = (ms: number) => sleep(Math.max(0, t0 + ms - nowMs()));

    // Faults, one after the other: a kill, DOWN_S seconds down, a restart awaited until ready.
    const faults = (async () => {
      for (const [name, fraction] of [
        ['realtime-1', 1 / 3],
        ['messages', 2 / 3],
      ] as const) {
        await at(DURATION_S * 1000 * fraction);
        const proc = stack.get(name);
        progress(`t=${fmt((nowMs() - t0) / 1000, 1)} s: SIGKILL ${name}`);
        const killAt = nowMs();
        await proc.kill('SIGKILL');
        await sleep(DOWN_S * 1000);
        const restartAt = nowMs();
        await proc.start();
        const readyAt = nowMs();
        progress(`t=${fmt((readyAt - t0) / 1000, 1)} s: ${name} restarted, ready`);
        rec.faults.push({ process: name, killAt, restartAt, readyAt });
      }
    })();

    progress(`sending ${total} messages at ${RATE}/s…`);
    const sends: Promise<void>[] = [];
    await paceOpenLoop(RATE, total, t0, (index, intended) => {
      const pair = pairs[index % PAIRS] as (typeof pairs)[number];
      const blob = encodeNote(0, index, intended, BLOB_BYTES);
      const body = `{"recipient_id":"${pair.recipient.id}","client_msg_id":"${rec.ids[index]}","encrypted_blob":"${blob}","signature":"${signature}"}`;
      rec.intended[index] = intended;
      sends.push(sendUntilCommitted(rec, index, gw, body, pair.sender.token));
    });
    const sendsDueEnd = nowMs();
    await faults;
    await Promise.all(sends);
    progress(
      `sends settled ${fmt((nowMs() - sendsDueEnd) / 1000, 1)} s after the last was due; draining deliveries…`,
    );
    for (;;) {
      if (rec.undelivered().length === 0 && sockets.every((s) => s.open)) break;
      if (nowMs() - Math.max(rec.lastDeliveryAt, sendsDueEnd) > DRAIN_S * 1000) break;
      await sleep(50);
    }
    const drainedAt = nowMs();
    const busyCores = (machineBusyS() - busyBefore) / ((drainedAt - t0) / 1000);
    const rssAfter = stackRssMb(stack);
    const benchRssAfter = process.memoryUsage().rss / 2 ** 20;
    closeRecipientSockets();

    progress('reading every recipient’s stream back (GET /messages)…');
    const api = client(stack.gatewayUrl);
    const indexById = new Map(rec.ids.map((id, i) => [id, i]));
    const server = {
      stored: 0,
      storedTwice: 0,
      committedNotStored: 0,
      storedNotCommitted: 0,
      storedNotDelivered: 0,
      deliveredNotStored: 0,
      cursorMismatch: 0,
      unorderedPages: 0,
      foreign: 0,
    };
    const storedIndexes = new Set<number>();
    for (const [r, pair] of pairs.entries()) {
      const messages = await readStream(api, pair.recipient);
      let last = 0;
      for (const m of messages) {
        const cursor = Number(m.cursor);
        if (cursor <= last) server.unorderedPages++;
        last = cursor;
        const index = indexById.get(String(m.client_msg_id));
        if (index === undefined || index % PAIRS !== r) {
          server.foreign++;
          continue;
        }
        server.stored++;
        if (storedIndexes.has(index)) server.storedTwice++;
        storedIndexes.add(index);
        if (!rec.committedAt[index]) server.storedNotCommitted++;
        if (!rec.deliveredAt[index]) server.storedNotDelivered++;
        else if (rec.deliveredCursor[index] !== cursor) server.cursorMismatch++;
      }
    }
    for (let i = 0; i < total; i++) {
      if (rec.committedAt[i] && !storedIndexes.has(i)) server.committedNotStored++;
      if (rec.deliveredAt[i] && !storedIndexes.has(i)) server.deliveredNotStored++;
    }

    // ---- figures ----
    const committed = rec.committed();
    const deliveredUnique = committed.filter((i) => rec.deliveredAt[i]).length;
    const lost = committed.length - deliveredUnique;
    const duplicates = streams.reduce((n, s) => n + s.duplicates, 0);
    const orderViolations = streams.reduce((n, s) => n + s.outOfOrder, 0);
    const attempts = rec.answers.length;
    const retries = attempts - total;
    const latencyOf = (i: number) => (rec.deliveredAt[i] as number) - (rec.intended[i] as number);
    const delivered = committed.filter((i) => rec.deliveredAt[i]);
    const sorted = (idx: number[]) => idx.map(latencyOf).sort((a, b) => a - b);
    const all = sorted(delivered);
    // Where the time went: due → the 201 (retries included), and the 201 → the frame (negative: the frame came first).
    const spread = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `${fmt(percentile(s, 0.5))} / ${fmt(percentile(s, 0.99))} / ${fmt(s.at(-1) ?? Number.NaN)} ms`;
    };
    const toCommit = (i: number) => (rec.committedAt[i] as number) - (rec.intended[i] as number);
    const commitToDeliver = (i: number) => (rec.deliveredAt[i] as number) - (rec.committedAt[i] as number);
    const firstKill = rec.faults[0]?.killAt ?? Number.POSITIVE_INFINITY;
    const steady = sorted(delivered.filter((i) => (rec.deliveredAt[i] as number) < firstKill));
    const lateMs = Math.max(LATE_FLOOR_MS, 3 * (percentile(steady, 0.99) || 0));
    const rel = (ms: number) => `${fmt((ms - t0) / 1000, 1)} s`;

    // Phases: before the first kill, then each kill until the next (the last until the end).
    const bounds = [0, ...rec.faults.map((f) => f.killAt), Number.POSITIVE_INFINITY];
    const phases = bounds.slice(0, -1).map((from, k) => {
      const to = bounds[k + 1] as number;
      const fault = k > 0 ? rec.faults[k - 1] : undefined;
      const answers = rec.answers.filter((a) => a.at >= from && a.at < to);
      const byStatus = new Map<number, number>();
      for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      const due = committed.filter(
        (i) => (rec.intended[i] as number) >= from && (rec.intended[i] as number) < to,
      );
      const lat = sorted(due.filter((i) => rec.deliveredAt[i]));
      // Disturbance: late deliveries after the kill, until the next kill.
      const late = delivered.filter(
        (i) =>
          (rec.deliveredAt[i] as number) >= from &&
          (rec.deliveredAt[i] as number) < to &&
          latencyOf(i) > lateMs,
      );
      const lastLate = Math.max(0, ...late.map((i) => rec.deliveredAt[i] as number));
      const events = rec.socketEvents.filter((e) => e.at >= from && e.at < to);
      const reopened = events.filter((e) => e.kind === 'reopened');
      const firstFailure = answers.find((a) => a.status !== 201);
      const okAgain = firstFailure
        ? answers.find((a) => a.at > firstFailure.at && a.status === 201 && a.at >= (fault?.readyAt ?? 0))
        : undefined;
      return {
        name: fault ? `${fault.process} killed at ${rel(fault.killAt)}` : 'before any fault',
        fault,
        from,
        answers: answers.length,
        byStatus,
        due: due.length,
        p50: percentile(lat, 0.5),
        p99: percentile(lat, 0.99),
        max: lat.at(-1) ?? Number.NaN,
        maxAfterCommit: Math.max(...due.filter((i) => rec.deliveredAt[i]).map(commitToDeliver)),
        late: late.length,
        recoveredMs: fault ? (late.length ? lastLate - fault.killAt : 0) : undefined,
        socketsDropped: events.filter((e) => e.kind === 'dropped').length,
        socketsBackMs:
          fault && reopened.length ? Math.max(...reopened.map((e) => e.at)) - fault.killAt : undefined,
        sendsOkAgainMs: fault && okAgain ? okAgain.at - fault.killAt : undefined,
      };
    });
    const statuses = [...new Set(rec.answers.map((a) => a.status))].sort((a, b) => a - b);
    const statusName = (s: number) => (s === 0 ? 'network error / timeout' : String(s));

    // Latency over time: the p99 of the messages due in each slice of about a twelfth of the run.
    const bucketMs = Math.max(1, Math.round(DURATION_S / 12)) * 1000;
    const buckets = Math.ceil((DURATION_S * 1000) / bucketMs);
    const timeline = Array.from({ length: buckets }, (_, b) => {
      const lat = sorted(
        delivered.filter((i) => Math.floor(((rec.intended[i] as number) - t0) / bucketMs) === b),
      );
      const errors = rec.answers.filter(
        (a) => a.status !== 201 && Math.floor((a.at - t0) / bucketMs) === b,
      ).length;
      const from = (b * bucketMs) / 1000;
      const marks = rec.faults
        .filter((f) => Math.floor((f.killAt - t0) / bucketMs) === b)
        .map((f) => ` ← ${f.process} killed`)
        .join('');
      return {
        label: `${fmt(from, 0).padStart(3)}–${fmt(Math.min(DURATION_S, from + bucketMs / 1000), 0)} s`,
        value: percentile(lat, 0.99) || 0,
        note: `${fmt(percentile(lat, 0.99))} ms p99, ${errors} failed attempts${marks}`,
      };
    });

    const serverOk =
      server.storedTwice === 0 &&
      server.committedNotStored === 0 &&
      server.deliveredNotStored === 0 &&
      server.storedNotDelivered === 0 &&
      server.cursorMismatch === 0 &&
      server.unorderedPages === 0 &&
      server.foreign === 0;
    const clean =
      lost === 0 &&
      duplicates === 0 &&
      orderViolations === 0 &&
      rec.deliveredTwice === 0 &&
      rec.misrouted === 0 &&
      rec.gaveUp.size === 0 &&
      serverOk;
    const mark = (ok: boolean) => (ok ? '✅' : '❌');
    const names = stack.processes.map((p) => p.name);
    const md = [
      header({
        title: 'Soak: no loss under faults',
        startedAt,
        loadBefore,
        loadAfter: loadAverage(),
        facts: [
          ['node', nodeVersion()],
          [
            'stack',
            'gateway, auth, messages, realtime ×2 (Redis fan-out), Postgres (fresh database), `LOG_LEVEL=warn`, all on loopback',
          ],
          [
            'load',
            `${PAIRS} sender/recipient pairs, ${RATE} msgs/s in total for ${DURATION_S} s (${total} messages, ${BLOB_BYTES}-byte envelopes), open loop`,
          ],
          [
            'faults',
            `SIGKILL realtime-1 at ${fmt(DURATION_S / 3, 0)} s and messages at ${fmt((2 * DURATION_S) / 3, 0)} s, each restarted after ${DOWN_S} s down`,
          ],
          [
            'clients',
            `a send that gets ${[...RETRYABLE].map(statusName).join(', ')} is retried with the same client_msg_id (backoff 0.1 s doubling to 2 s, ±50%, up to ${MAX_ATTEMPTS} attempts); a socket that closes reconnects (0.1 s doubling to 2 s) with \`?after=<last cursor>\``,
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
          ['gaps seen live (filled later)', streams.reduce((n, s) => n + s.gaps, 0), ''],
          [
            'send→deliver p50 / p99 / max (all)',
            `${fmt(percentile(all, 0.5))} / ${fmt(percentile(all, 0.99))} / ${fmt(all.at(-1) ?? Number.NaN)} ms`,
            '',
          ],
          ['of which due → 201 (retries included) p50 / p99 / max', spread(delivered.map(toCommit)), ''],
          [
            'and 201 → delivered p50 / p99 / max (negative: the frame came first)',
            spread(delivered.map(commitToDeliver)),
            '',
          ],
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
          [
            'committed but not stored',
            server.committedNotStored,
            `0 ${mark(server.committedNotStored === 0)}`,
          ],
          ['stored twice (same client_msg_id)', server.storedTwice, `0 ${mark(server.storedTwice === 0)}`],
          [
            'stored but never delivered',
            server.storedNotDelivered,
            `0 ${mark(server.storedNotDelivered === 0)}`,
          ],
          [
            'delivered but not stored',
            server.deliveredNotStored,
            `0 ${mark(server.deliveredNotStored === 0)}`,
          ],
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
          p.fault ? `${fmt((p.fault.readyAt - p.fault.killAt) / 1000, 1)} s (${DOWN_S} s down)` : '—',
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
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults('soak', md)}`);
    if (!clean) {
      process.exitCode = 1;
      progress(
        `FAILED: the soak found loss, duplication, disorder or a record mismatch; logs kept in ${stack.logDir}`,
      );
    } else {
      await stopAll();
      if (!args.keep) fs.rmSync(stackDir, { recursive: true, force: true });
    }
  } finally {
    closeRecipientSockets();
    closeHttp();
  }
});
