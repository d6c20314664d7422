/**
 * The faults, one after the other: realtime-1 SIGKILLed at a third of the run,
 * the message service at two thirds; each stays down `downS` seconds, then is
 * restarted on its port and awaited until ready.
 */
import type { Stack } from '@lockbox/testkit';
import { fmt } from '../lib/markdown';
import { nowMs, sleep } from '../lib/message-load';
import type { SoakRecord } from './record';

export const runFaults = async (
  stack: Stack,
  rec: SoakRecord,
  t0: number,
  durationS: number,
  downS: number,
  progress: (m: string) => void,
) => {
  const at = (ms: number) => sleep(Math.max(0, t0 + ms - nowMs()));
  for (const [name, fraction] of [
    ['realtime-1', 1 / 3],
    ['messages', 2 / 3],
  ] as const) {
    await at(durationS * 1000 * fraction);
    const proc = stack.get(name);
    progress(`t=${fmt((nowMs() - t0) / 1000, 1)} s: SIGKILL ${name}`);
    const killAt = nowMs();
    await proc.kill('SIGKILL');
    await sleep(downS * 1000);
    const restartAt = nowMs();
    await proc.start();
    const readyAt = nowMs();
    progress(`t=${fmt((readyAt - t0) / 1000, 1)} s: ${name} restarted, ready`);
    rec.faults.push({ process: name, killAt, restartAt, readyAt });
  }
};
