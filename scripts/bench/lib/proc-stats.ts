/**
 * CPU time and memory of processes, read from /proc: the load generator and the
 * servers share the machine's cores, so a bench reports what each one used.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;
/** USER_HZ, the unit of the CPU times in /proc (100 on Linux nearly everywhere). */
export const clockTicks = (): number => {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
};

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces); index 0 is field 3. */
const statFields = (pid: number): string[] | undefined => {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
};

/** Direct and indirect children of `pid` (e.g. NGINX's workers under its master). */
export const descendants = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    const ppid = Number(fields?.[1]);
    if (!fields || !ppid) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
};

export interface ProcUsage {
  /** User + system CPU seconds since the process started. */
  cpuS: number;
  /** Resident set size now, KiB. */
  rssKb: number;
}

/** CPU and RSS of one process, or undefined if it is gone. */
export const procUsage = (pid: number): ProcUsage | undefined => {
  const fields = statFields(pid);
  const status = read(`/proc/${pid}/status`);
  if (!fields || !status) return undefined;
  // utime and stime are stat fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS: ticks / clockTicks(), rssKb: rss };
};

/** A process and its descendants together, summed. */
export const treeUsage = (pid: number, pids: number[] = [pid, ...descendants(pid)]): ProcUsage => {
  let cpuS = 0;
  let rssKb = 0;
  for (const p of pids) {
    const u = procUsage(p);
    if (!u) continue;
    cpuS += u.cpuS;
    rssKb += u.rssKb;
  }
  return { cpuS, rssKb };
};

/** Busy CPU seconds of the whole machine so far (all cores; idle and iowait excluded). */
export const machineBusyS = (): number => {
  const line = read('/proc/stat')?.split('\n')[0] ?? '';
  const [, ...nums] = line.trim().split(/\s+/);
  const v = nums.map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user…steal; guest is already in user
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return (total - idle) / clockTicks();
};

export const loadAverage = (): [number, number, number] => {
  const [a = 0, b = 0, c = 0] = os.loadavg();
  return [a, b, c];
};

/** The machine's CPU time counters from /proc/stat's first line, in ticks (all cores). */
export interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
}

export const cpuTimes = (): CpuTimes => {
  const line = read('/proc/stat')?.split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return {
    total: v.slice(0, 8).reduce((a, b) => a + b, 0),
    idle: (v[3] ?? 0) + (v[4] ?? 0),
    steal: v[7] ?? 0,
  };
};

/** What the machine did between two readings, as shares of all cores' time (0…1). */
export interface MachineShare {
  /** Seconds of all cores' time between the readings (wall seconds × cores). */
  coreS: number;
  idle: number;
  steal: number;
  /** Everything that was neither idle nor stolen (this bench and every other process). */
  busy: number;
}

export const machineShare = (before: CpuTimes, after: CpuTimes): MachineShare => {
  const total = Math.max(1, after.total - before.total);
  const idle = (after.idle - before.idle) / total;
  const steal = (after.steal - before.steal) / total;
  return { coreS: total / clockTicks(), idle, steal, busy: Math.max(0, 1 - idle - steal) };
};

/** The machine's load during a measurement: /proc/stat shares and the load average at its end. */
export interface MachineLoad extends MachineShare {
  loadAverage: [number, number, number];
}

/** Runs `fn` and says what the machine did meanwhile. */
export const withMachineLoad = async <T>(fn: () => Promise<T>): Promise<[T, MachineLoad]> => {
  const before = cpuTimes();
  const value = await fn();
  return [value, { ...machineShare(before, cpuTimes()), loadAverage: loadAverage() }];
};

/** The share of all cores that others used: busy minus the `ownCpuS` CPU seconds the measured processes took. */
export const othersShare = (l: MachineShare, ownCpuS: number): number =>
  Math.max(0, l.busy - ownCpuS / Math.max(l.coreS, 1e-9));

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** "others 40% · idle 12% · steal 3% · load 14.2" (others only when the measured CPU is known). */
export const formatMachineLoad = (l: MachineLoad, ownCpuS?: number): string =>
  [
    ...(ownCpuS === undefined ? [] : [`others ${pct(othersShare(l, ownCpuS))}`]),
    `idle ${pct(l.idle)}`,
    `steal ${pct(l.steal)}`,
    `load ${l.loadAverage[0].toFixed(1)}`,
  ].join(' · ');
