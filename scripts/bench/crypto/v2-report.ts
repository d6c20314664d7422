/** The v2 section of the crypto report: MLS vs v1 per message, group operations, every run with its load. */
import { fmt, ratio, table, verdict } from '../lib/markdown';
import { formatMachineLoad } from '../lib/proc-stats';
import { median } from '../lib/report';
import { archiveGoalRow, archiveSection } from './archive-report';
import type { Rate, V2KernelResult } from './v2-kernel';
import type { V2Runs } from './v2-runs';

const MESSAGE_GOAL_PER_S = 2_000;

/** "1,234 (1,100–1,300)": the median of the runs and their range. */
const spread = (xs: number[], digits?: number) =>
  xs.length === 1
    ? fmt(xs[0] as number, digits)
    : `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

type RateKey = 'v1Seal' | 'v1Open' | 'mlsEncrypt' | 'mlsDecrypt';

const rateRow = (label: string, results: V2KernelResult[], key: RateKey) => {
  const of = (f: keyof Rate) => results.map((r) => r[key][f]);
  return [label, spread(of('bestPerS')), spread(of('medianPerS')), spread(of('perCpuS'))];
};

const ratioRow = (label: string, results: V2KernelResult[], v2: RateKey, v1: RateKey) => {
  const of = (f: keyof Rate) => results.map((r) => r[v2][f] / r[v1][f]);
  const cell = (f: keyof Rate) =>
    `${ratio(median(of(f)))} (${fmt(Math.min(...of(f)), 1)}–${fmt(Math.max(...of(f)), 1)})`;
  return [label, cell('bestPerS'), cell('medianPerS'), cell('perCpuS')];
};

const goalRow = (label: string, results: V2KernelResult[], key: RateKey) => {
  const best = median(results.map((r) => r[key].bestPerS));
  const perCpu = median(results.map((r) => r[key].perCpuS));
  return [
    label,
    `best batch ${fmt(best)} /s, per CPU-second ${fmt(perCpu)}`,
    `≥ ${fmt(MESSAGE_GOAL_PER_S)} /s ${verdict(best >= MESSAGE_GOAL_PER_S && perCpu >= MESSAGE_GOAL_PER_S)}`,
  ];
};

export const v2Section = (v2: V2Runs): string => {
  const results = v2.runs.map((r) => r.result);
  const g = (f: (x: V2KernelResult['group']) => number[]) => spread(results.flatMap((r) => f(r.group)));
  const first = results[0] as V2KernelResult;
  const o = v2.options;
  return [
    '## v2: MLS (RFC 9420) beside v1',
    '',
    `${v2.runs.length} runs, each a fresh plain-Node process on an esbuild bundle of the SDK and @lockbox/mls (not tsx: its module wrappers slow @noble/hashes several times). Per run: ${o.batches} batches of ${o.batch} messages of ${fmt(o.messageBytes)} bytes per operation, a v1 batch and an MLS batch alternating. Cells: the median of the runs (lowest–highest run).`,
    '',
    'v1: `sealMessage` (two X-Wing encapsulations, Ed25519 signature) and `openMessage` (signature check, one decapsulation). v2: `GroupMember.encrypt` by one device and `receive` by another device of the 2-user, 6-device group, in order.',
    '',
    table(
      ['1 KB message, ops/s', 'best batch', 'median batch', 'per CPU-second'],
      [
        rateRow('v1 envelope seal (encrypt + sign)', results, 'v1Seal'),
        rateRow('v1 envelope open (verify + decrypt)', results, 'v1Open'),
        rateRow('MLS application message encrypt', results, 'mlsEncrypt'),
        rateRow('MLS application message decrypt', results, 'mlsDecrypt'),
        ratioRow('MLS encrypt / v1 seal', results, 'mlsEncrypt', 'v1Seal'),
        ratioRow('MLS decrypt / v1 open', results, 'mlsDecrypt', 'v1Open'),
      ],
    ),
    '',
    `Wire size: v1 envelope ${fmt(first.v1EnvelopeBytes)} bytes (before base64), MLS application message ${fmt(first.mlsMessageBytes)} bytes (its conversation id, the group id, is inside).`,
    '',
    table(
      ['issue 12 goal', 'measured (median of runs)', 'goal'],
      [
        goalRow('MLS encrypt 1 KB', results, 'mlsEncrypt'),
        goalRow('MLS decrypt 1 KB', results, 'mlsDecrypt'),
        archiveGoalRow(v2.archive),
      ],
    ),
    '',
    'Group operations of a 2-user, 6-device conversation (ms; the median over every sample of every run, lowest–highest sample):',
    '',
    table(
      ['operation', 'ms'],
      [
        ['one KeyPackage', g((x) => x.keyPackageMs)],
        ['create the group + add the 5 other devices in one commit, merged', g((x) => [x.createAndAddMs])],
        ['join from that Welcome, per device', g((x) => x.joinMs)],
        [
          `self-update commit, staged + merged (${o.updates} per run, senders rotating)`,
          g((x) => x.updateMs),
        ],
        ['processing that commit, per other device', g((x) => x.processUpdateMs)],
      ],
    ),
    '',
    `Sizes: the 5-device add is a ${fmt(first.group.commitBytes)}-byte commit and a ${fmt(first.group.welcomeBytes)}-byte Welcome.`,
    '',
    'Every run with the machine’s load during it (/proc/stat shares of all cores: others = busy minus the run’s own process; load average at its end):',
    '',
    table(
      ['run', 'MLS enc best/s', 'MLS dec best/s', 'v1 seal best/s', 'v1 open best/s', 'machine'],
      v2.runs.map((r, i) => [
        i + 1,
        fmt(r.result.mlsEncrypt.bestPerS),
        fmt(r.result.mlsDecrypt.bestPerS),
        fmt(r.result.v1Seal.bestPerS),
        fmt(r.result.v1Open.bestPerS),
        formatMachineLoad(r.load, r.result.processCpuS),
      ]),
    ),
    '',
    archiveSection(v2.archive),
  ].join('\n');
};
