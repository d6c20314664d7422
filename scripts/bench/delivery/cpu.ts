/** CPU accounting for a delivery step: each measured process, Postgres, the bench itself, the machine. */
import { execFileSync } from 'node:child_process';
import { nowMs } from '../lib/message-load';
import { descendants, machineBusyS, treeUsage } from '../lib/proc-stats';
import type { Proc } from '../lib/processes';

/** Postgres' own CPU is part of the cost: the postmaster and its backends (the whole server, shared). */
const postgresPids = (): number[] => {
  try {
    const pid = Number(execFileSync('pgrep', ['-o', '-x', 'postgres'], { encoding: 'utf8' }).trim());
    return pid ? [pid, ...descendants(pid)] : [];
  } catch {
    return [];
  }
};

export interface CpuSnapshot {
  perProcess: Record<string, number>;
  bench: number;
  busy: number;
  at: number;
}

export const cpuSnapshot = (procs: Proc[], pg: boolean): CpuSnapshot => {
  const perProcess: Record<string, number> = {};
  for (const p of procs) perProcess[p.name] = treeUsage(p.pid).cpuS;
  if (pg) perProcess.postgres = treeUsage(0, postgresPids()).cpuS;
  const self = process.cpuUsage();
  return { perProcess, bench: (self.user + self.system) / 1e6, busy: machineBusyS(), at: nowMs() };
};

/** CPU cores used on average between two snapshots, per process, the bench and the whole machine. */
export const coresBetween = (before: CpuSnapshot, after: CpuSnapshot): Record<string, number> => {
  const elapsedS = (after.at - before.at) / 1000;
  const cores: Record<string, number> = {};
  for (const name of Object.keys(after.perProcess))
    cores[name] = ((after.perProcess[name] ?? 0) - (before.perProcess[name] ?? 0)) / elapsedS;
  cores['bench (load + sockets)'] = (after.bench - before.bench) / elapsedS;
  cores['machine (all)'] = (after.busy - before.busy) / elapsedS;
  return cores;
};
