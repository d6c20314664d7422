/**
 * The run: a warm-up per target, then each rate of the rising ladder on both
 * targets (the order flipping at every rate), until a target no longer keeps up.
 */
import { fmt } from '../lib/markdown';
import { sleep } from '../lib/message-load';
import type { DeliveryOptions } from './options';
import { runStep, type StepResult } from './step';
import type { DeliveryTargets } from './targets';

export const runLadder = async (
  opts: DeliveryOptions,
  { lockbox, baseline }: DeliveryTargets,
  progress: (m: string) => void,
): Promise<StepResult[]> => {
  progress('warming up (3 s at 100 msgs/s each)…');
  for (const t of [baseline, lockbox]) await runStep(opts, t, 100, 3);

  const results: StepResult[] = [];
  const failed = new Set<string>();
  let order = [baseline, lockbox];
  for (const rate of opts.rates) {
    for (const target of order) {
      if (failed.has(target.name)) continue;
      progress(`${target.name} at ${rate} msgs/s for ${opts.durationS} s…`);
      const r = await runStep(opts, target, rate, opts.durationS);
      results.push(r);
      progress(
        `  delivered ${fmt(r.deliveredPerS)}/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, lost ${r.lost}, dup ${r.duplicates}, order ${r.orderViolations}, errors ${r.sendErrors}, skipped ${r.skipped}${r.sustained ? '' : ' — not sustained'}`,
      );
      if (!r.sustained) failed.add(target.name);
      await sleep(2_000);
    }
    order = [...order].reverse();
  }
  return results;
};
