/**
 * Delivery bench (BENCH.md): N sender/recipient pairs; senders
 * `POST /messages/send` through the gateway at a fixed rate (open loop: a send
 * is due at its time whether or not earlier ones have answered), recipients
 * hold a WebSocket on `/ws` through the gateway; the intended send time rides
 * inside the payload, so send→deliver latency includes any queueing. Against
 * the one-file baseline (`delivery-baseline.ts`: HTTP in, one INSERT, one `ws`
 * push) on the same database, in the same run, the targets alternating at each
 * rate of a rising ladder.
 *
 * Reports, per target and rate: committed, delivered per second, p50/p99/max
 * send→deliver, lost (= committed − delivered unique, after a drain), duplicates,
 * ordering violations (LockBox: a recipient's cursors must be 1, 2, 3, …), and
 * each process's CPU. "Sustained" = the highest rate a target kept up with:
 * every send committed, every commit delivered once, delivered ≥ 97% of the
 * offered rate during the step, p99 ≤ 500 ms.
 *
 *   node --import tsx scripts/bench/delivery.ts [--pairs 50] [--rates 500,1000,2000,3000] [--duration 10]
 *        [--engine postgres|pglite] [--database-url postgres://…] [--blob-bytes 256] [--keep]
 */

import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTempDatabase, type TempDatabase } from '../../packages/testkit/src/postgres';
import { mainThreadProfile, profileSection, summarizeProfile, type Windows } from './lib/cpu-profile';
import { closeHttp, httpCall } from './lib/http-call';
import { bars, fmt, ratio, table, verdict, writeResults } from './lib/markdown';
import { decodeNote, encodeNote, nowMs, paceOpenLoop, registerPairs, sleep } from './lib/message-load';
import { BENCH_ENV, REPO_ROOT } from './lib/node-servers';
import { descendants, loadAverage, machineBusyS, treeUsage } from './lib/proc-stats';
import { freePort, type Proc, spawnProc, stopAll, waitForHttp } from './lib/processes';
import { PROFILE_NOTE } from './lib/profiles';
import {
  CursorStream,
  closeRecipientSockets,
  openRecipientSocket,
  type RecipientSocket,
} from './lib/recipient-socket';
import { percentile } from './lib/report';
import { runBench } from './lib/run-bench';
import { nodeVersion } from './lib/tools';

const GOAL_RATE = 2_000;
const GOAL_P99_MS = 50;
const GOAL_RATIO = 0.5;
const SUSTAINED_P99_MS = 500;

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '50' },
    rates: { type: 'string', default: '500,1000,2000,3000' },
    duration: { type: 'string', default: '10' },
    drain: { type: 'string', default: '10' },
    engine: { type: 'string' },
    'database-url': { type: 'string' },
    'blob-bytes': { type: 'string', default: '256' },
    'max-in-flight': { type: 'string', default: '4000' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`Delivery bench: LockBox (through the gateway) vs a one-file baseline, open-loop sends.

  node --import tsx scripts/bench/delivery.ts [options]

  --pairs N            sender/recipient pairs (default 50)
  --rates a,b,c        offered msgs/s, a rising ladder (default 500,1000,2000,3000)
  --duration S         seconds of sends per step (default 10)
  --drain S            give up waiting for deliveries after S quiet seconds (default 10)
  --engine E           postgres (default when TEST_DATABASE_URL or --database-url is set) or pglite
  --database-url URL   admin URL of the Postgres server; a fresh database is made and dropped
  --blob-bytes N       envelope size (default 256)
  --max-in-flight N    unanswered sends before the generator skips (default 4000)
  --keep               keep the temp dir with logs
  --profile            run LockBox's Node processes under --cpu-prof and add their hot spots (samples
                       taken during LockBox's steps only, µs per committed message) to the report
`);
  process.exit(0);
}
const PAIRS = Number(args.pairs);
const RATES = String(args.rates)
  .split(',')
  .map(Number)
  .filter((r) => r > 0)
  .sort((a, b) => a - b);
const DURATION_S = Number(args.duration);
const DRAIN_S = Number(args.drain);
const BLOB_BYTES = Number(args['blob-bytes']);
const MAX_IN_FLIGHT = Number(args['max-in-flight']);
const ADMIN_DB_URL = args['database-url'] ?? process.env.TEST_DATABASE_URL;
const ENGINE = (args.engine ?? (ADMIN_DB_URL ? 'postgres' : 'pglite')) as 'postgres' | 'pglite';
if (ENGINE === 'postgres' && !ADMIN_DB_URL)
  throw new Error('--engine postgres needs --database-url or TEST_DATABASE_URL');

// ---- what a step measures ------------------------------------------------------------

class StepRecorder {
  readonly seen: Uint8Array;
  /** Per message: 1 answered 201 (committed), 2 failed or timed out (may still have committed). */
  readonly answer: Uint8Array;
  readonly latencies: number[] = [];
  delivered = 0;
  duplicates = 0;
  lastDeliveryMs = 0;

  constructor(
    readonly step: number,
    total: number,
  ) {
    this.seen = new Uint8Array(total);
    this.answer = new Uint8Array(total);
  }

  /** Committed (answered 201) but never delivered. */
  lost(): number {
    let n = 0;
    for (let i = 0; i < this.seen.length; i++) if (this.answer[i] === 1 && !this.seen[i]) n++;
    return n;
  }

  record(index: number, intendedMs: number) {
    const now = nowMs();
    if (index < 0 || index >= this.seen.length) return;
    if (this.seen[index]) {
      this.duplicates++;
      return;
    }
    this.seen[index] = 1;
    this.delivered++;
    this.latencies.push(now - intendedMs);
    this.lastDeliveryMs = now;
  }
}

interface Target {
  name: string;
  /** Sends message `index` of the step for pair `pair`; resolves with the HTTP status. */
  send(pair: number, blob: string): Promise<number>;
  recorder: StepRecorder | undefined;
  /** Cursor gaps and repeats seen on the recipients' sockets (LockBox's order promise). */
  orderViolations: number;
  processes: Proc[];
  sockets: RecipientSocket[];
}

/** Sockets the server closed (and the client reopened) so far. */
const reconnectsOf = (target: Target) => target.sockets.reduce((n, s) => n + s.reconnects, 0);

/**
 * A recipient's socket. LockBox's reconnects like a real client when the server closes it
 * (e.g. 1013 for a reader that fell behind) and resumes from the last cursor it got.
 */
const openSocket = async (url: (after: number) => string, target: Target, protocols?: string[]) => {
  const socket = await openRecipientSocket({
    url,
    ...(protocols ? { protocols } : {}),
    stream: new CursorStream(),
    reconnect: { firstMs: 200, maxMs: 200 },
    onClose: (code) =>
      console.error(`[bench:delivery] a ${target.name} socket closed (${code}); reconnecting`),
    onMessage: (data, cursor) => {
      if (!data.encrypted_blob) return;
      if (cursor && !cursor.next) target.orderViolations++;
      const note = decodeNote(data.encrypted_blob);
      if (target.recorder && note.step === target.recorder.step)
        target.recorder.record(note.index, note.intendedMs);
    },
  });
  target.sockets.push(socket);
};

// ---- CPU accounting ------------------------------------------------------------------

/** Postgres' own CPU is part of the cost: the postmaster and its backends (the whole server, shared). */
const postgresPids = (): number[] => {
  try {
    const pid = Number(execFileSync('pgrep', ['-o', '-x', 'postgres'], { encoding: 'utf8' }).trim());
    return pid ? [pid, ...descendants(pid)] : [];
  } catch {
    return [];
  }
};

interface CpuSnapshot {
  perProcess: Record<string, number>;
  bench: number;
  busy: number;
  at: number;
}

const cpuSnapshot = (procs: Proc[], pg: boolean): CpuSnapshot => {
  const perProcess: Record<string, number> = {};
  for (const p of procs) perProcess[p.name] = treeUsage(p.pid).cpuS;
  if (pg) perProcess.postgres = treeUsage(0, postgresPids()).cpuS;
  const self = process.cpuUsage();
  return { perProcess, bench: (self.user + self.system) / 1e6, busy: machineBusyS(), at: nowMs() };
};

// ---- one step ---------------------------------------------------------------------------

interface StepResult {
  target: string;
  rate: number;
  offered: number;
  committed: number;
  sendErrors: number;
  skipped: number;
  delivered: number;
  deliveredPerS: number;
  lost: number;
  duplicates: number;
  orderViolations: number;
  /** Sockets the server closed (and the client reopened) during the step. */
  reconnects: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU cores used on average during the step, per process. */
  cores: Record<string, number>;
  /** CPU ms per committed message, per process. */
  cpuMsPerMsg: Record<string, number>;
  rssMb: Record<string, number>;
  sustained: boolean;
  /** The step's sends, µs of the monotonic clock (for --profile). */
  window: [number, number];
}

let stepCounter = 0;

const runStep = async (target: Target, rate: number, durationS: number): Promise<StepResult> => {
  const step = ++stepCounter;
  const total = Math.round(rate * durationS);
  const recorder = new StepRecorder(step, total);
  target.recorder = recorder;
  const violationsBefore = target.orderViolations;
  const reconnectsBefore = reconnectsOf(target);
  let inFlight = 0;
  let committed = 0;
  let sendErrors = 0;
  let skipped = 0;
  const before = cpuSnapshot(target.processes, ENGINE === 'postgres');
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const t0 = nowMs() + 5;
  await paceOpenLoop(rate, total, t0, (index, intended) => {
    if (inFlight >= MAX_IN_FLIGHT) {
      skipped++; // the system is this far behind: the generator stops piling on
      return;
    }
    inFlight++;
    void target.send(index % PAIRS, encodeNote(step, index, intended, BLOB_BYTES)).then((status) => {
      inFlight--;
      recorder.answer[index] = status === 201 ? 1 : 2;
      if (status === 201) committed++;
      else sendErrors++;
    });
  });
  const sendsDone = nowMs();
  while (inFlight > 0 && nowMs() - sendsDone < 30_000) await sleep(10);
  const after = cpuSnapshot(target.processes, ENGINE === 'postgres');
  const endUs = Number(process.hrtime.bigint() / 1000n);
  // Drain: until every commit is delivered, or nothing new arrives for DRAIN_S.
  for (;;) {
    if (recorder.delivered >= committed && recorder.lost() === 0) break;
    const quietFor = nowMs() - Math.max(recorder.lastDeliveryMs, sendsDone);
    if (quietFor > DRAIN_S * 1000) break;
    await sleep(20);
  }
  target.recorder = undefined;
  const sorted = [...recorder.latencies].sort((a, b) => a - b);
  const elapsedS = (after.at - before.at) / 1000;
  const cores: Record<string, number> = {};
  for (const name of Object.keys(after.perProcess))
    cores[name] = ((after.perProcess[name] ?? 0) - (before.perProcess[name] ?? 0)) / elapsedS;
  cores['bench (load + sockets)'] = (after.bench - before.bench) / elapsedS;
  cores['machine (all)'] = (after.busy - before.busy) / elapsedS;
  const cpuMsPerMsg: Record<string, number> = {};
  for (const [name, c] of Object.entries(cores))
    cpuMsPerMsg[name] = (c * elapsedS * 1000) / Math.max(1, committed);
  const rssMb: Record<string, number> = {};
  for (const p of target.processes) rssMb[p.name] = treeUsage(p.pid).rssKb / 1024;
  // Delivered per second from the first due send to the last delivery: keeping up means ≈ the offered rate.
  const deliveredPerS =
    recorder.delivered / (Math.max(recorder.lastDeliveryMs - t0, durationS * 1000) / 1000);
  const lost = recorder.lost();
  const orderViolations = target.orderViolations - violationsBefore;
  const p99 = percentile(sorted, 0.99);
  return {
    target: target.name,
    rate,
    offered: total,
    committed,
    sendErrors,
    skipped,
    delivered: recorder.delivered,
    deliveredPerS,
    lost,
    duplicates: recorder.duplicates,
    orderViolations,
    reconnects: reconnectsOf(target) - reconnectsBefore,
    p50: percentile(sorted, 0.5),
    p99,
    max: sorted.at(-1) ?? Number.NaN,
    cores,
    cpuMsPerMsg,
    rssMb,
    window: [startUs, endUs],
    sustained:
      committed === total &&
      lost === 0 &&
      recorder.duplicates === 0 &&
      orderViolations === 0 &&
      deliveredPerS >= 0.97 * rate &&
      p99 <= SUSTAINED_P99_MS,
  };
};

// ---- the run ------------------------------------------------------------------------------

await runBench('delivery', { keep: args.keep === true }, async (workDir, progress) => {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  progress(
    `engine ${ENGINE}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; work dir ${workDir}`,
  );
  let tempDb: TempDatabase | undefined;
  if (ENGINE === 'postgres') tempDb = await createTempDatabase(ADMIN_DB_URL as string);
  try {
    const secret = randomBytes(32).toString('base64url');
    const [authPort, messagesPort, realtimePort, gatewayPort, baselinePort] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const url = (port: number) => `http://127.0.0.1:${port}`;
    const common: Record<string, string> = {
      ...BENCH_ENV,
      LOCKBOX_INTERNAL_SECRET: secret,
      LOCKBOX_DATA_DIR: path.join(workDir, 'data'),
      LOCKBOX_LOG_DIR: path.join(workDir, 'logs'),
      AUTH_URLS: url(authPort as number),
      MESSAGES_URLS: url(messagesPort as number),
      REALTIME_URLS: url(realtimePort as number),
      RL_REGISTER_PER_IP: '1000000',
      RL_LOGIN_PER_IP: '1000000',
      RL_CHAT_REQUESTS_PER_USER: '1000000',
      DATABASE_POOL_MAX: '20',
      ...(tempDb ? { DATABASE_URL: tempDb.url } : {}),
    };
    const start = async (
      name: string,
      entry: string,
      port: number,
      env: Record<string, string>,
      ready: string,
    ) => {
      const profile =
        args.profile && name !== 'baseline'
          ? ['--cpu-prof', '--cpu-prof-dir', path.join(workDir, 'profiles', name)]
          : [];
      const proc = spawnProc(name, process.execPath, [...profile, '--import', 'tsx', entry], {
        cwd: REPO_ROOT,
        logFile: path.join(workDir, `${name}.out.log`),
        env: { ...common, ...env, PORT: String(port), HOST: '127.0.0.1' },
      });
      await waitForHttp(`${url(port)}${ready}`, proc, 180_000);
      return proc;
    };
    progress('starting auth, messages, realtime, the gateway and the baseline…');
    const [auth, messages, realtime, baseline] = await Promise.all([
      start('auth', 'packages/auth-service/src/main.ts', authPort as number, {}, '/ready'),
      start('messages', 'packages/message-service/src/main.ts', messagesPort as number, {}, '/ready'),
      start('realtime', 'packages/realtime-service/src/main.ts', realtimePort as number, {}, '/ready'),
      start('baseline', 'scripts/bench/delivery-baseline.ts', baselinePort as number, {}, '/health'),
    ]);
    const gateway = await start(
      'gateway',
      'gateway/src/main.ts',
      gatewayPort as number,
      {
        AUTH_UPSTREAMS: url(authPort as number),
        MESSAGES_UPSTREAMS: url(messagesPort as number),
        REALTIME_UPSTREAMS: url(realtimePort as number),
        RL_GATEWAY_PER_IP: '0',
      },
      '/health',
    );
    const gw = gatewayPort as number;

    progress(`registering ${PAIRS} sender/recipient pairs and making them contacts…`);
    const pairs = await registerPairs(gw, PAIRS);
    const signature = randomBytes(64).toString('base64');

    const lockbox: Target = {
      name: 'LockBox',
      processes: [gateway, auth, messages, realtime],
      recorder: undefined,
      orderViolations: 0,
      sockets: [],
      send: async (pair, blob) => {
        const p = pairs[pair] as (typeof pairs)[number];
        const body = `{"recipient_id":"${p.recipient.id}","client_msg_id":"${randomUUID()}","encrypted_blob":"${blob}","signature":"${signature}"}`;
        return (await httpCall(gw, 'POST', '/messages/send', body, p.sender.token)).status;
      },
    };
    const base: Target = {
      name: 'baseline',
      processes: [baseline],
      recorder: undefined,
      orderViolations: 0,
      sockets: [],
      send: async (pair, blob) => {
        const p = pairs[pair] as (typeof pairs)[number];
        return (
          await httpCall(
            baselinePort as number,
            'POST',
            `/send?from=${p.sender.id}`,
            `{"to":"${p.recipient.id}","blob":"${blob}"}`,
          )
        ).status;
      },
    };
    progress('opening the recipients’ sockets (LockBox through the gateway, resuming from cursor 0)…');
    for (const p of pairs) {
      await openSocket((after) => `ws://127.0.0.1:${gw}/ws?after=${after}`, lockbox, [
        'lockbox.v1',
        `bearer.${p.recipient.token}`,
      ]);
      await openSocket(() => `ws://127.0.0.1:${baselinePort}/ws?user=${p.recipient.id}`, base);
    }

    progress('warming up (3 s at 100 msgs/s each)…');
    for (const t of [base, lockbox]) await runStep(t, 100, 3);

    const results: StepResult[] = [];
    const failed = new Set<string>();
    let order = [base, lockbox];
    for (const rate of RATES) {
      for (const target of order) {
        if (failed.has(target.name)) continue;
        progress(`${target.name} at ${rate} msgs/s for ${DURATION_S} s…`);
        const r = await runStep(target, rate, DURATION_S);
        results.push(r);
        progress(
          `  delivered ${fmt(r.deliveredPerS)}/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, lost ${r.lost}, dup ${r.duplicates}, order ${r.orderViolations}, errors ${r.sendErrors}, skipped ${r.skipped}${r.sustained ? '' : ' — not sustained'}`,
        );
        if (!r.sustained) failed.add(target.name);
        await sleep(2_000);
      }
      order = [...order].reverse();
    }
    closeRecipientSockets();

    // ---- profiles (stopping the processes writes them) ----
    let profiles = '';
    if (args.profile) {
      await stopAll();
      const runs = results.filter((r) => r.target === 'LockBox');
      const windows: Windows = runs.map((r) => r.window);
      const committedAll = runs.reduce((a, r) => a + r.committed, 0);
      profiles = [
        '## CPU profiles (`--profile`)',
        "Self time per function and per package/file while LockBox's steps sent; µs per committed message.",
        ...['gateway', 'messages', 'realtime', 'auth'].map((name) => {
          const file = mainThreadProfile(path.join(workDir, 'profiles', name));
          return file
            ? profileSection(name, summarizeProfile(file, windows, 25), committedAll)
            : `### ${name}: no profile written`;
        }),
      ].join('\n\n');
    }

    // ---- report ----
    const sustainedOf = (name: string) =>
      Math.max(0, ...results.filter((r) => r.target === name && r.sustained).map((r) => r.rate));
    const lockboxRate = sustainedOf('LockBox');
    const baselineRate = sustainedOf('baseline');
    const atGoal = results.find((r) => r.target === 'LockBox' && r.rate === GOAL_RATE);
    const totals = (name: string) => {
      const rs = results.filter((r) => r.target === name);
      return {
        committed: rs.reduce((a, r) => a + r.committed, 0),
        lost: rs.reduce((a, r) => a + r.lost, 0),
        duplicates: rs.reduce((a, r) => a + r.duplicates, 0),
        order: rs.reduce((a, r) => a + r.orderViolations, 0),
      };
    };
    const lb = totals('LockBox');
    const processNames = [...new Set(results.flatMap((r) => Object.keys(r.cores)))];
    const md = [
      '# Delivery bench',
      '',
      `${startedAt.toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}) · Node ${nodeVersion()} · engine **${ENGINE}** · ${PAIRS} pairs · ${DURATION_S} s per step · ${BLOB_BYTES}-byte envelopes · load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAverage()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      '',
      "Open loop: each message is due at its time whether or not earlier sends answered; latency is from that due time to the recipient's socket. LockBox: `POST /messages/send` and `/ws` through the gateway (auth, message-service, realtime, gateway, Postgres). Baseline: `delivery-baseline.ts` (HTTP, one INSERT, one `ws` push), same database. The targets alternate at each rate.",
      '',
      '## Summary',
      '',
      table(
        ['', 'LockBox', 'baseline', 'goal'],
        [
          [
            'sustained rate (msgs/s)',
            lockboxRate || '< lowest step',
            baselineRate || '< lowest step',
            `≥ ${GOAL_RATE}`,
          ],
          [
            'LockBox / baseline',
            baselineRate ? ratio(lockboxRate / baselineRate) : '—',
            '',
            `≥ ${GOAL_RATIO}× ${baselineRate ? verdict(lockboxRate / baselineRate >= GOAL_RATIO) : ''}`,
          ],
          [
            `p99 at ${GOAL_RATE} msgs/s`,
            atGoal ? `${fmt(atGoal.p99)} ms` : 'not reached',
            '',
            `≤ ${GOAL_P99_MS} ms ${atGoal ? verdict(atGoal.sustained && atGoal.p99 <= GOAL_P99_MS) : verdict(false)}`,
          ],
          [
            'lost / duplicates / order violations (all steps)',
            `${lb.lost} / ${lb.duplicates} / ${lb.order} of ${lb.committed}`,
            `${totals('baseline').lost} / ${totals('baseline').duplicates} / — of ${totals('baseline').committed}`,
            `0 / 0 / 0 ${verdict(lb.lost === 0 && lb.duplicates === 0 && lb.order === 0)}`,
          ],
        ],
      ),
      '',
      ...(args.profile ? [PROFILE_NOTE, ''] : []),
      '## Every step',
      '',
      table(
        [
          'target',
          'offered/s',
          'committed',
          'send errors',
          'skipped',
          'delivered/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'lost',
          'dup',
          'order',
          'reconnects',
          'sustained',
        ],
        results.map((r) => [
          r.target,
          r.rate,
          r.committed,
          r.sendErrors,
          r.skipped,
          fmt(r.deliveredPerS),
          fmt(r.p50),
          fmt(r.p99),
          fmt(r.max),
          r.lost,
          r.duplicates,
          r.target === 'LockBox' ? r.orderViolations : '—',
          r.reconnects,
          r.sustained ? 'yes' : 'no',
        ]),
      ),
      '',
      '"skipped": sends the generator did not issue because too many were already unanswered (the target fell behind).',
      '',
      '## p99 send→deliver by step (ms)',
      '',
      bars(results.map((r) => ({ label: `${r.target} @${r.rate}`, value: r.p99 }))),
      '',
      '## CPU (cores used on average during the sends) and RSS',
      '',
      table(
        [
          'target',
          'offered/s',
          ...processNames,
          ...results
            .flatMap((r) => Object.keys(r.rssMb))
            .filter((v, i, a) => a.indexOf(v) === i)
            .map((n) => `${n} RSS MiB`),
        ],
        results.map((r) => {
          const rssNames = results
            .flatMap((x) => Object.keys(x.rssMb))
            .filter((v, i, a) => a.indexOf(v) === i);
          return [
            r.target,
            r.rate,
            ...processNames.map((n) => (r.cores[n] === undefined ? '' : fmt(r.cores[n] as number, 2))),
            ...rssNames.map((n) => (r.rssMb[n] === undefined ? '' : fmt(r.rssMb[n] as number, 0))),
          ];
        }),
      ),
      '',
      `"postgres" is the whole server (other databases' work included, if any). The machine has ${os.cpus().length} cores; the load generator and the sockets share them with everything measured.`,
      '',
      '## CPU ms per committed message',
      '',
      table(
        ['target', 'offered/s', ...processNames.filter((n) => n !== 'machine (all)')],
        results.map((r) => [
          r.target,
          r.rate,
          ...processNames
            .filter((n) => n !== 'machine (all)')
            .map((n) => (r.cpuMsPerMsg[n] === undefined ? '' : fmt(r.cpuMsPerMsg[n] as number, 2))),
        ]),
      ),
      '',
      'CPU time of each process during the step divided by the messages committed (postgres: the whole server).',
      ...(profiles ? ['', profiles] : []),
    ].join('\n');
    process.stdout.write(`${md}\n`);
    progress(`report written to ${writeResults(args.profile ? 'delivery-profile' : 'delivery', md)}`);
  } finally {
    closeRecipientSockets();
    closeHttp();
    if (tempDb) {
      await stopAll(); // the services first: dropping the database under them would only make noise
      await tempDb.drop().catch(() => undefined);
    }
  }
});
