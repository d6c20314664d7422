/**
 * The measuring loop every bench shares: warm each target up, then run wrk
 * against the targets in turn, round after round (the order rotates each
 * round), recording for every run wrk's numbers and the CPU and peak RSS of
 * each watched process. Baselines thus run in the same minutes as what they
 * are compared with, which is what makes a ratio meaningful on a shared machine.
 */
import { loadAverage, machineBusyS, treeUsage } from './proc-stats';
import { runWrk, type WrkResult } from './wrk';

export interface Target {
  name: string;
  url: string;
}

/** A process to account for: one pid, or several summed (NGINX's master and workers). */
export interface Watched {
  name: string;
  pids: number[];
}

export interface RunRecord {
  round: number;
  target: string;
  wrk: WrkResult;
  /** CPU seconds each watched process (and 'wrk', and 'bench' itself) used during the run. */
  cpuS: Record<string, number>;
  /** Highest RSS (KiB) seen for each watched process during the run; wrk's is its peak. */
  peakRssKb: Record<string, number>;
  /** Busy CPU seconds of the whole machine during the run, and the part none of ours used. */
  machineBusyS: number;
  otherCpuS: number;
  load1: number;
  /** When wrk ran, in µs of the monotonic clock (the clock V8's CPU profiles use). */
  window: [number, number];
}

export interface AlternateOptions {
  targets: Target[];
  watched: Watched[];
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
  threads: number;
  /** Pause between runs so one run's tail (GC, log flushes) does not land in the next. */
  pauseMs?: number;
  progress: (message: string) => void;
}

const SAMPLE_MS = 500;

const measure = async (opts: AlternateOptions, target: Target, round: number): Promise<RunRecord> => {
  const before = new Map(opts.watched.map((w) => [w.name, treeUsage(w.pids[0] ?? 0, w.pids).cpuS]));
  const peak = new Map(opts.watched.map((w) => [w.name, 0]));
  const sample = () => {
    for (const w of opts.watched)
      peak.set(w.name, Math.max(peak.get(w.name) ?? 0, treeUsage(w.pids[0] ?? 0, w.pids).rssKb));
  };
  const busyBefore = machineBusyS();
  const selfBefore = process.cpuUsage();
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  const startUs = Number(process.hrtime.bigint() / 1000n);
  let wrk: WrkResult;
  try {
    wrk = await runWrk({
      url: target.url,
      connections: opts.connections,
      threads: opts.threads,
      durationS: opts.durationS,
    });
  } finally {
    clearInterval(timer);
  }
  const endUs = Number(process.hrtime.bigint() / 1000n);
  sample();
  const self = process.cpuUsage(selfBefore);
  const busy = machineBusyS() - busyBefore;
  const cpuS: Record<string, number> = {};
  const peakRssKb: Record<string, number> = {};
  for (const w of opts.watched) {
    cpuS[w.name] = treeUsage(w.pids[0] ?? 0, w.pids).cpuS - (before.get(w.name) ?? 0);
    peakRssKb[w.name] = peak.get(w.name) ?? 0;
  }
  cpuS.wrk = wrk.cpuS;
  peakRssKb.wrk = wrk.peakRssKb;
  cpuS.bench = (self.user + self.system) / 1e6;
  const ours = Object.values(cpuS).reduce((a, b) => a + b, 0);
  return {
    round,
    target: target.name,
    wrk,
    cpuS,
    peakRssKb,
    machineBusyS: busy,
    otherCpuS: Math.max(0, busy - ours),
    load1: loadAverage()[0],
    window: [startUs, endUs],
  };
};

export const runAlternating = async (opts: AlternateOptions): Promise<RunRecord[]> => {
  const pause = () => new Promise((r) => setTimeout(r, opts.pauseMs ?? 1_000));
  if (opts.warmupS > 0) {
    for (const t of opts.targets) {
      opts.progress(`warm-up ${t.name} (${opts.warmupS} s)`);
      await runWrk({ ...opts, url: t.url, durationS: opts.warmupS });
      await pause();
    }
  }
  const records: RunRecord[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const shift = (round - 1) % opts.targets.length;
    const order = [...opts.targets.slice(shift), ...opts.targets.slice(0, shift)];
    for (const t of order) {
      opts.progress(`round ${round}/${opts.rounds}: ${t.name} (${opts.durationS} s)`);
      const r = await measure(opts, t, round);
      opts.progress(
        `  ${Math.round(r.wrk.rps)} req/s, p99 ${r.wrk.latencyMs.p99.toFixed(2)} ms, other load ${r.otherCpuS.toFixed(1)} CPU-s`,
      );
      records.push(r);
      await pause();
    }
  }
  return records;
};
