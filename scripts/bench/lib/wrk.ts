/**
 * Runs wrk against one URL and reads its results: requests/s, latency
 * percentiles, errors, and wrk's own CPU and peak RSS (via wrk-report.lua).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { clockTicks } from './proc-stats';

const REPORT_SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'wrk-report.lua');

export interface WrkOptions {
  url: string;
  connections: number;
  threads: number;
  durationS: number;
  /** A request slower than this counts as a timeout. */
  timeoutS?: number;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Latency in milliseconds: mean, max and the percentiles p50 p75 p90 p99 p99.9. */
  latencyMs: { mean: number; max: number; p50: number; p75: number; p90: number; p99: number; p999: number };
  /** wrk's own user+system CPU seconds and peak RSS. */
  cpuS: number;
  peakRssKb: number;
  /** wrk's human-readable output, kept for the record. */
  text: string;
}

interface WrkJson {
  duration_us: number;
  requests: number;
  bytes: number;
  errors: WrkResult['errors'];
  latency_us: { mean: number; stdev: number; max: number; percentiles: Record<string, number> };
  cpu_ticks: number;
  vm_hwm_kb: number;
}

/** Parses wrk's output as produced with wrk-report.lua. */
export const parseWrkOutput = (text: string): WrkResult => {
  const line = text.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no WRK_JSON line:\n${text}`);
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson;
  const pct = (q: string) => {
    const v = j.latency_us.percentiles[q];
    if (v === undefined) throw new Error(`wrk report lacks percentile ${q}`);
    return v / 1000;
  };
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    bytes: j.bytes,
    errors: j.errors,
    latencyMs: {
      mean: j.latency_us.mean / 1000,
      max: j.latency_us.max / 1000,
      p50: pct('50'),
      p75: pct('75'),
      p90: pct('90'),
      p99: pct('99'),
      p999: pct('99.9'),
    },
    cpuS: j.cpu_ticks / clockTicks(),
    peakRssKb: j.vm_hwm_kb,
    text: text.replace(/^WRK_JSON .*\n?/m, '').trimEnd(),
  };
};

export const errorCount = (r: WrkResult) =>
  r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;

/** Runs wrk; `onStart` gets its pid (to sample it while it runs). */
export const runWrk = (opts: WrkOptions, onStart?: (pid: number) => void): Promise<WrkResult> =>
  new Promise((resolve, reject) => {
    const args = [
      '-c',
      String(opts.connections),
      '-t',
      String(opts.threads),
      '-d',
      `${opts.durationS}s`,
      '--timeout',
      `${opts.timeoutS ?? 5}s`,
      '--latency',
      '-s',
      REPORT_SCRIPT,
      opts.url,
    ];
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.once('error', reject);
    if (child.pid !== undefined) onStart?.(child.pid);
    child.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code ?? signal}:\n${out}${err}`));
        return;
      }
      try {
        resolve(parseWrkOutput(out));
      } catch (e) {
        reject(e);
      }
    });
  });
