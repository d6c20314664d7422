/** The delivery bench's report: the summary against the goals, every step, latency, CPU and RSS. */
import os from 'node:os';
import { bars, fmt, ratio, table, verdict } from '../lib/markdown';
import { PROFILE_NOTE } from '../lib/profiles';
import { nodeVersion } from '../lib/tools';
import type { DeliveryOptions } from './options';
import { medianAndSpread, type SearchOutcome, verdictOf } from './rate-search';
import type { StepResult } from './step';

const GOAL_RATE = 2_000;
const GOAL_P99_MS = 50;
const GOAL_RATIO = 0.8;

export interface DeliveryRun {
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
  results: StepResult[];
  outcomes: Record<string, SearchOutcome>;
  outOfTime: boolean;
  /** The `--profile` section, empty without it. */
  profiles: string;
}

const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

/** "20 (18–31)" */
const spreadOf = (xs: number[], digits?: number) => {
  const s = medianAndSpread(xs);
  return xs.length === 1
    ? fmt(s.median, digits)
    : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
};

/** One deciding rate of a target: its trials' verdicts, p99 and delivered/s, median and spread. */
const decidingCell = (results: StepResult[], name: string, rate: number | undefined) => {
  if (rate === undefined || rate === 0) return '—';
  const rs = results.filter((r) => r.target === name && r.rate === rate);
  if (rs.length === 0) return '—';
  return `${rate}: ${rs.filter((r) => r.sustained).length}/${rs.length} sustained, p99 ${spreadOf(rs.map((r) => r.p99))} ms, delivered ${spreadOf(rs.map((r) => r.deliveredPerS))}/s`;
};

const summary = (run: DeliveryRun) => {
  const { results, outcomes } = run;
  const lbOut = outcomes.LockBox as SearchOutcome;
  const blOut = outcomes.baseline as SearchOutcome;
  const rateCell = (o: SearchOutcome) =>
    `${o.sustained || '< lowest step'}${o.failedAt === undefined ? ' (the maximum offered)' : ''}${o.complete ? '' : ' — **undecided** (budget)'}`;
  const atGoal = results.filter((r) => r.target === 'LockBox' && r.rate === GOAL_RATE);
  const atGoalOk = atGoal.length > 0 && verdictOf(atGoal.map((r) => r.sustained && r.p99 <= GOAL_P99_MS));
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
  const bl = totals('baseline');
  return table(
    ['', 'LockBox', 'baseline', 'goal'],
    [
      [
        'sustained rate (msgs/s, majority of the repeats)',
        rateCell(lbOut),
        rateCell(blOut),
        `≥ ${GOAL_RATE}`,
      ],
      [
        'LockBox / baseline',
        blOut.sustained ? ratio(lbOut.sustained / blOut.sustained) : '—',
        '',
        `≥ ${GOAL_RATIO}× ${blOut.sustained ? verdict(lbOut.sustained / blOut.sustained >= GOAL_RATIO) : ''}`,
      ],
      [
        'deciding rate kept',
        decidingCell(results, 'LockBox', lbOut.sustained),
        decidingCell(results, 'baseline', blOut.sustained),
        '',
      ],
      [
        'deciding rate missed',
        decidingCell(results, 'LockBox', lbOut.failedAt),
        decidingCell(results, 'baseline', blOut.failedAt),
        '',
      ],
      [
        `p99 at ${GOAL_RATE} msgs/s`,
        atGoal.length ? `${spreadOf(atGoal.map((r) => r.p99))} ms` : 'not measured',
        '',
        `≤ ${GOAL_P99_MS} ms ${verdict(atGoalOk)}`,
      ],
      [
        'lost / duplicates / order violations (all steps)',
        `${lb.lost} / ${lb.duplicates} / ${lb.order} of ${lb.committed}`,
        `${bl.lost} / ${bl.duplicates} / — of ${bl.committed}`,
        `0 / 0 / 0 ${verdict(lb.lost === 0 && lb.duplicates === 0 && lb.order === 0)}`,
      ],
    ],
  );
};

const everyStep = (results: StepResult[]) =>
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
      'others (cores)',
      'idle',
      'steal',
      'load',
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
      fmt(r.othersCores, 2),
      `${(r.machine.idle * 100).toFixed(0)}%`,
      `${(r.machine.steal * 100).toFixed(0)}%`,
      r.machine.loadAverage[0].toFixed(1),
    ]),
  );

const cpuAndRss = (results: StepResult[], processNames: string[]) => {
  const rssNames = results.flatMap((x) => Object.keys(x.rssMb)).filter((v, i, a) => a.indexOf(v) === i);
  return table(
    ['target', 'offered/s', ...processNames, ...rssNames.map((n) => `${n} RSS MiB`)],
    results.map((r) => [
      r.target,
      r.rate,
      ...processNames.map((n) => (r.cores[n] === undefined ? '' : fmt(r.cores[n] as number, 2))),
      ...rssNames.map((n) => (r.rssMb[n] === undefined ? '' : fmt(r.rssMb[n] as number, 0))),
    ]),
  );
};

const cpuPerMessage = (results: StepResult[], processNames: string[]) => {
  const names = processNames.filter((n) => n !== 'machine (all)');
  return table(
    ['target', 'offered/s', ...names],
    results.map((r) => [
      r.target,
      r.rate,
      ...names.map((n) => (r.cpuMsPerMsg[n] === undefined ? '' : fmt(r.cpuMsPerMsg[n] as number, 2))),
    ]),
  );
};

export const deliveryReport = (opts: DeliveryOptions, run: DeliveryRun): string => {
  const { results } = run;
  const processNames = [...new Set(results.flatMap((r) => Object.keys(r.cores)))];
  return [
    '# Delivery bench',
    '',
    `${run.startedAt.toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}) · Node ${nodeVersion()} · engine **${opts.engine}** · ${opts.pairs} pairs · ${opts.durationS} s per step · ${opts.blobBytes}-byte envelopes${opts.envelope === 'custom' ? '' : ` (${opts.envelope}-sized)`} · load average before ${loads(run.loadBefore)}, after ${loads(run.loadAfter)}`,
    '',
    "Open loop: each message is due at its time whether or not earlier sends answered; latency is from that due time to the recipient's socket. LockBox: `POST /messages/send` and `/ws` through the gateway (auth, message-service, realtime, gateway, Postgres). Baseline: `delivery-baseline.ts` (HTTP, one INSERT, one `ws` push), same database. The targets take turns, step by step.",
    '',
    `Each target: warmed ${opts.warmupS} s at half the start rate; its sustained rate searched from ${opts.search.start} msgs/s (doubling while sustained, halving while not, up to ${opts.search.maxRate}), then bisected to ${opts.search.resolution} msgs/s; the two deciding rates (the highest kept, the lowest missed) run ${opts.search.repeats} times each and decide by majority. Every measured step follows ${opts.stepWarmupS} s of unmeasured sends at its rate. A step is sustained when every send committed, every commit was delivered once and in order, delivery kept ≥ 97% of the offered rate, and p99 ≤ 500 ms.${run.outOfTime ? ' **The time budget ended the run before the searches did.**' : ''}`,
    '',
    '## Summary',
    '',
    summary(run),
    '',
    ...(opts.profile ? [PROFILE_NOTE, ''] : []),
    '## Every step',
    '',
    everyStep(results),
    '',
    '"skipped": sends the generator did not issue because too many were already unanswered (the target fell behind). The machine during each step\'s sends, from /proc/stat: "others" = cores busy with anything but the target\'s processes, Postgres, the bench and stolen time; idle and steal as shares of all cores; load = the 1-minute load average at the step\'s end.',
    '',
    '## p99 send→deliver by step (ms)',
    '',
    bars(results.map((r) => ({ label: `${r.target} @${r.rate}`, value: r.p99 }))),
    '',
    '## CPU (cores used on average during the sends) and RSS',
    '',
    cpuAndRss(results, processNames),
    '',
    `"postgres" is the whole server (other databases' work included, if any). The machine has ${os.cpus().length} cores; the load generator and the sockets share them with everything measured.`,
    '',
    '## CPU ms per committed message',
    '',
    cpuPerMessage(results, processNames),
    '',
    'CPU time of each process during the step divided by the messages committed (postgres: the whole server).',
    ...(run.profiles ? ['', run.profiles] : []),
  ].join('\n');
};
