/**
 * One step of a search: open-loop sends to one target at one rate for a
 * while, then a drain until every commit was delivered (or nothing new came
 * for a while), and what it cost each process.
 */
import { encodeNote, nowMs, paceOpenLoop, sleep } from '../lib/message-load';
import { cpuTimes, loadAverage, type MachineLoad, machineShare, treeUsage } from '../lib/proc-stats';
import { percentile } from '../lib/report';
import { coresBetween, cpuSnapshot } from './cpu';
import type { DeliveryOptions } from './options';
import { reconnectsOf, StepRecorder, type Target } from './target';

/** Above this p99 a step does not count as sustained, whatever else it kept up with. */
const SUSTAINED_P99_MS = 500;

export interface StepResult {
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
  /** The machine during the sends: /proc/stat shares of all cores, the load average at their end. */
  machine: MachineLoad;
  /** Cores the rest of the machine used: everything busy minus the target's processes, the bench and steal. */
  othersCores: number;
  sustained: boolean;
  /** The step's sends, µs of the monotonic clock (for --profile). */
  window: [number, number];
}

let stepCounter = 0;

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export const runStep = async (
  opts: DeliveryOptions,
  target: Target,
  rate: number,
  durationS: number,
): Promise<StepResult> => {
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
  const before = cpuSnapshot(target.processes, opts.engine === 'postgres');
  const timesBefore = cpuTimes();
  const startUs = monotonicUs();
  const t0 = nowMs() + 5;
  await paceOpenLoop(rate, total, t0, (index, intended) => {
    if (inFlight >= opts.maxInFlight) {
      skipped++; // the system is this far behind: the generator stops piling on
      return;
    }
    inFlight++;
    const blob = encodeNote(step, index, intended, opts.blobBytes);
    void target.send(index % opts.pairs, blob).then((status) => {
      inFlight--;
      recorder.answer[index] = status === 201 ? 1 : 2;
      if (status === 201) committed++;
      else sendErrors++;
    });
  });
  const sendsDone = nowMs();
  while (inFlight > 0 && nowMs() - sendsDone < 30_000) await sleep(10);
  const after = cpuSnapshot(target.processes, opts.engine === 'postgres');
  const machine = { ...machineShare(timesBefore, cpuTimes()), loadAverage: loadAverage() };
  const endUs = monotonicUs();
  // Drain: until every commit is delivered, or nothing new arrives for the drain time.
  for (;;) {
    if (recorder.delivered >= committed && recorder.lost() === 0) break;
    const quietFor = nowMs() - Math.max(recorder.lastDeliveryMs, sendsDone);
    if (quietFor > opts.drainS * 1000) break;
    await sleep(20);
  }
  target.recorder = undefined;
  const sorted = [...recorder.latencies].sort((a, b) => a - b);
  const elapsedS = (after.at - before.at) / 1000;
  const cores = coresBetween(before, after);
  const cpuMsPerMsg: Record<string, number> = {};
  for (const [name, c] of Object.entries(cores))
    cpuMsPerMsg[name] = (c * elapsedS * 1000) / Math.max(1, committed);
  // A process tree's CPU can shrink between snapshots when a child exits (a Postgres backend of
  // another client closing takes its counted time with it): such a delta counts as nothing here.
  const measuredCores = Object.entries(cores)
    .filter(([name]) => name !== 'machine (all)')
    .reduce((a, [, c]) => a + Math.max(0, c), 0);
  const machineCores = cores['machine (all)'] ?? 0;
  // /proc/stat counts stolen time as busy; it is reported on its own.
  const stealCores = (machine.steal * machine.coreS) / Math.max(elapsedS, 1e-9);
  const othersCores = Math.min(machineCores, Math.max(0, machineCores - measuredCores - stealCores));
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
    machine,
    othersCores,
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
