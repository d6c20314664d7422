/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and says where the time
 * went: the functions with the most self time, and the time per package or
 * file — enough to see which layer a request's cost sits in.
 */
import fs from 'node:fs';
import { fmt, table } from './markdown';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time ranges in µs of the monotonic clock (process.hrtime), which V8's profile timestamps share. */
export type Windows = [number, number][];

export interface ProfileSummary {
  /** Sampled seconds, and the part that was idle. */
  totalS: number;
  idleS: number;
  functions: { name: string; where: string; share: number }[];
  places: { where: string; share: number }[];
}

/** A dependency by its pnpm store name (pkg@version), our files by repo path, node internals as is. */
const placeOf = (url: string, fn: string): string => {
  if (!url) return fn.startsWith('(') ? fn : 'native';
  const pkg = /node_modules\/\.pnpm\/([^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg.replace(/_.*$/, '');
  const repo = /\/(contracts|gateway|packages|scripts)\/(.+)$/.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url.replace(/^file:\/\//, '');
};

/** Summarizes the samples inside `windows` (all samples when none are given). */
export const summarizeProfile = (file: string, windows?: Windows, top = 15): ProfileSummary => {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const inWindow = (t: number) => !windows || windows.some(([a, b]) => t >= a && t <= b);
  let total = 0;
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (!inWindow(t)) return;
    total += d;
    self.set(id, (self.get(id) ?? 0) + d);
  });
  let idle = 0;
  const byFn = new Map<string, { where: string; us: number }>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = nodes.get(id)?.callFrame;
    if (!cf) continue;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = placeOf(cf.url, cf.functionName);
    const at = cf.url ? `${where}:${cf.lineNumber + 1}` : where;
    const key = `${cf.functionName || '(anonymous)'}\0${at}`;
    byFn.set(key, { where: at, us: (byFn.get(key)?.us ?? 0) + us });
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  return {
    totalS: total / 1e6,
    idleS: idle / 1e6,
    functions: [...byFn]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([k, v]) => ({ name: k.split('\0')[0] ?? '', where: v.where, share: v.us / busy })),
    places: [...byPlace]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, us]) => ({ where, share: us / busy })),
  };
};

/**
 * Markdown for one profile: shares of the busy (non-idle) time, and — given the
 * requests served meanwhile — the same as µs per request (profiler overhead included).
 */
export const profileSection = (name: string, s: ProfileSummary, requests?: number): string => {
  const busyUs = (s.totalS - s.idleS) * 1e6;
  const perRequest = (share: number) => (requests ? fmt((share * busyUs) / requests, 1) : '');
  return [
    `### ${name}: ${fmt(busyUs / 1e6, 1)} s busy of ${fmt(s.totalS, 1)} s sampled${requests ? `, ${fmt(busyUs / requests, 1)} µs per request` : ''}`,
    '',
    table(
      ['self time', 'µs / request', 'function', 'where'],
      s.functions.map((f) => [`${fmt(100 * f.share, 1)}%`, perRequest(f.share), `\`${f.name}\``, f.where]),
      ['r', 'r', 'l', 'l'],
    ),
    '',
    table(
      ['self time', 'µs / request', 'package / file'],
      s.places.slice(0, 10).map((p) => [`${fmt(100 * p.share, 1)}%`, perRequest(p.share), p.where]),
      ['r', 'r', 'l'],
    ),
  ].join('\n');
};

/** The main-thread profile node wrote into `dir` (worker threads write `….1.00N.cpuprofile` too). */
export const mainThreadProfile = (dir: string): string | undefined => {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  return main ? `${dir}/${main}` : undefined;
};
