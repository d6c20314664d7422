/** The delivery bench's report: the summary against the goals, every step, latency, CPU and RSS. */
import os from 'node:os';
import { bars, fmt, ratio, table, verdict } from '../lib/markdown';
import { PROFILE_NOTE } from '../lib/profiles';
import { nodeVersion } from '../lib/tools';
import type { DeliveryOptions } from './options';
import type { StepResult } from './step';

const GOAL_RATE = 2_000;
const GOAL_P99_MS = 50;
const GOAL_RATIO = 0.8;

export interface DeliveryRun {
  startedAt: Date;
  loadBefore: number[];
  loadAfter: number[];
  results: StepResult[];
  /** The `--profile` section, empty without it. */
  profiles: string;
}

const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

const summary = (results: StepResult[]) => {
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
  return table(
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
    `${run.startedAt.toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}) · Node ${nodeVersion()} · engine **${opts.engine}** · ${opts.pairs} pairs · ${opts.durationS} s per step · ${opts.blobBytes}-byte envelopes · load average before ${loads(run.loadBefore)}, after ${loads(run.loadAfter)}`,
    '',
    "Open loop: each message is due at its time whether or not earlier sends answered; latency is from that due time to the recipient's socket. LockBox: `POST /messages/send` and `/ws` through the gateway (auth, message-service, realtime, gateway, Postgres). Baseline: `delivery-baseline.ts` (HTTP, one INSERT, one `ws` push), same database. The targets alternate at each rate.",
    '',
    '## Summary',
    '',
    summary(results),
    '',
    ...(opts.profile ? [PROFILE_NOTE, ''] : []),
    '## Every step',
    '',
    everyStep(results),
    '',
    '"skipped": sends the generator did not issue because too many were already unanswered (the target fell behind).',
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
