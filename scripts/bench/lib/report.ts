/**
 * Turns a bench's run records into the report sections every bench shares:
 * the machine and load header, the per-target results, the CPU/RSS of each
 * process, every run, and a noise warning. Benches add their own ratios.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { RunRecord, Target } from './alternate';
import { bars, fmt, table } from './markdown';
import { errorCount } from './wrk';

export const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export interface TargetSummary {
  name: string;
  runs: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  errors: number;
  bytesPerResponse: number;
  /** Per process: median CPU seconds per run, CPU µs per request, highest RSS in MiB. */
  processes: { name: string; cpuS: number; cpuUsPerRequest: number; peakRssMb: number }[];
}

export const summarize = (records: RunRecord[], targets: Target[]): TargetSummary[] =>
  targets.map((t) => {
    const runs = records.filter((r) => r.target === t.name);
    const requests = runs.reduce((a, r) => a + r.wrk.requests, 0);
    const names = Object.keys(runs[0]?.cpuS ?? {});
    return {
      name: t.name,
      runs: runs.length,
      rps: median(runs.map((r) => r.wrk.rps)),
      rpsMin: Math.min(...runs.map((r) => r.wrk.rps)),
      rpsMax: Math.max(...runs.map((r) => r.wrk.rps)),
      p50: median(runs.map((r) => r.wrk.latencyMs.p50)),
      p90: median(runs.map((r) => r.wrk.latencyMs.p90)),
      p99: median(runs.map((r) => r.wrk.latencyMs.p99)),
      p999: median(runs.map((r) => r.wrk.latencyMs.p999)),
      errors: runs.reduce((a, r) => a + errorCount(r.wrk), 0),
      bytesPerResponse: runs.reduce((a, r) => a + r.wrk.bytes, 0) / Math.max(1, requests),
      processes: names.map((name) => {
        const cpu = runs.map((r) => r.cpuS[name] ?? 0);
        return {
          name,
          cpuS: median(cpu),
          cpuUsPerRequest: (cpu.reduce((a, b) => a + b, 0) / Math.max(1, requests)) * 1e6,
          peakRssMb: Math.max(...runs.map((r) => r.peakRssKb[name] ?? 0)) / 1024,
        };
      }),
    };
  });

export interface HeaderInfo {
  title: string;
  startedAt: Date;
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  /** Tool versions and parameters, shown as a list. */
  facts: [string, string][];
}

const cpuModel = () =>
  /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';

export const header = (h: HeaderInfo): string => {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  return [
    `# ${h.title}`,
    '',
    `- date: ${h.startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    `- machine: ${os.cpus().length} × ${cpuModel()}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Linux ${os.release()}`,
    `- load average (1/5/15 min): ${load(h.loadBefore)} before, ${load(h.loadAfter)} after`,
    ...h.facts.map(([k, v]) => `- ${k}: ${v}`),
  ].join('\n');
};

export const resultsTable = (s: TargetSummary[]): string =>
  table(
    [
      'target',
      'req/s (median)',
      'min – max',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'errors',
      'bytes/resp',
    ],
    s.map((t) => [
      t.name,
      fmt(t.rps, 0),
      `${fmt(t.rpsMin, 0)} – ${fmt(t.rpsMax, 0)}`,
      fmt(t.p50, 2),
      fmt(t.p90, 2),
      fmt(t.p99, 2),
      fmt(t.p999, 2),
      t.errors,
      fmt(t.bytesPerResponse, 0),
    ]),
  );

export const throughputChart = (s: TargetSummary[]): string =>
  bars(s.map((t) => ({ label: t.name, value: t.rps, note: `${fmt(t.rps, 0)} req/s` })));

/** Processes that did work for a target (≥ 0.05 CPU-s per run), with their cost per request. */
export const processTable = (s: TargetSummary[]): string =>
  table(
    ['target', 'process', 'CPU s per run (median)', 'CPU µs / request', 'peak RSS MiB'],
    s.flatMap((t) =>
      t.processes
        .filter((p) => p.cpuS >= 0.05)
        .map((p) => [t.name, p.name, fmt(p.cpuS, 2), fmt(p.cpuUsPerRequest, 1), fmt(p.peakRssMb, 1)]),
    ),
    ['l', 'l', 'r', 'r', 'r'],
  );

/** Idle processes' RSS too (e.g. the NGINX not under load), once each: the highest seen in any run. */
export const memoryTable = (records: RunRecord[]): string => {
  const names = Object.keys(records[0]?.peakRssKb ?? {});
  return table(
    ['process', 'peak RSS MiB (any run)'],
    names.map((n) => [n, fmt(Math.max(...records.map((r) => r.peakRssKb[n] ?? 0)) / 1024, 1)]),
  );
};

export const runsTable = (records: RunRecord[]): string =>
  table(
    ['round', 'target', 'req/s', 'p99 ms', 'errors', 'machine busy CPU-s', 'others’ CPU-s', 'load 1 min'],
    records.map((r) => [
      r.round,
      r.target,
      fmt(r.wrk.rps, 0),
      fmt(r.wrk.latencyMs.p99, 2),
      errorCount(r.wrk),
      fmt(r.machineBusyS, 1),
      fmt(r.otherCpuS, 1),
      fmt(r.load1, 2),
    ]),
    ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

/**
 * A run is noisy when processes outside the bench used more than a tenth of the
 * machine's CPU during it; the report says so, so a reader can rerun.
 */
export const noiseNote = (records: RunRecord[], durationS: number): string => {
  const budget = 0.1 * os.cpus().length * durationS;
  const noisy = records.filter((r) => r.otherCpuS > budget);
  const errors = records.filter((r) => errorCount(r.wrk) > 0);
  const lines: string[] = [];
  if (noisy.length)
    lines.push(
      `> ⚠️ ${noisy.length === records.length ? 'All' : `${noisy.length} of`} ${records.length} runs were noisy: other processes used more than ${fmt(budget, 1)} CPU-s ` +
        `(10% of the machine) during them${noisy.length === records.length ? '' : ` (${noisy.map((r) => `round ${r.round} ${r.target}`).join(', ')})`}, ` +
        `${fmt(median(noisy.map((r) => r.otherCpuS)), 1)} CPU-s in the median noisy run. Throughput ratios then mostly say how each target fares when it must share the CPU; ` +
        'CPU µs per request is the steadier number. Rerun when the machine is quiet.',
    );
  else
    lines.push(
      `Noise: in every run, processes outside the bench used at most ${fmt(Math.max(...records.map((r) => r.otherCpuS)), 1)} CPU-s (budget ${fmt(budget, 1)}).`,
    );
  if (errors.length)
    lines.push(
      `> ⚠️ ${errors.length} runs had errors (non-2xx answers, timeouts or socket errors): their numbers do not measure the happy path.`,
    );
  return lines.join('\n\n');
};

/**
 * The measured sections every wrk bench report shares, in order: throughput,
 * per target, CPU and memory (`cpuNote` says what shares the cores), every
 * run, and the noise note.
 */
export const measuredSections = (
  summaries: TargetSummary[],
  records: RunRecord[],
  durationS: number,
  cpuNote: string,
): string[] => [
  '## Throughput (median of rounds)',
  '',
  throughputChart(summaries),
  '',
  '## Per target',
  '',
  resultsTable(summaries),
  '',
  '## CPU and memory of each process while a target was under load',
  '',
  cpuNote,
  '',
  processTable(summaries),
  '',
  memoryTable(records),
  '',
  '## Every run',
  '',
  runsTable(records),
  '',
  noiseNote(records, durationS),
];

/** The `q` quantile (0–1) of an ascending list; NaN when empty. */
export const percentile = (sorted: number[], q: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : Number.NaN;
