/**
 * The run: each target warmed at load, then both targets' rate searches
 * (rate-search.ts) step by step, taking turns (the order flipping every
 * turn, so machine drift falls on both); every measured step is preceded by a
 * short unmeasured warm-up at its rate.
 */
import { fmt } from '../lib/markdown';
import { nowMs, sleep } from '../lib/message-load';
import { formatMachineLoad } from '../lib/proc-stats';
import type { DeliveryOptions } from './options';
import { maxProbes, RateSearch, type SearchOutcome } from './rate-search';
import { runStep, type StepResult } from './step';
import type { DeliveryTargets } from './targets';

const PAUSE_S = 2;
/** A step's drain when it kept up, for the estimate (a failing step drains for longer). */
const TYPICAL_DRAIN_S = 1;

export interface SearchRun {
  results: StepResult[];
  outcomes: Record<string, SearchOutcome>;
  /** True when the time budget stopped the run before the searches ended. */
  outOfTime: boolean;
}

/** Seconds the run should take when every step keeps up; failing steps add up to their drain each. */
export const expectedSeconds = (opts: DeliveryOptions): { typical: number; steps: number } => {
  const steps = maxProbes(opts.search) * 2;
  const perStep = opts.stepWarmupS + opts.durationS + TYPICAL_DRAIN_S + PAUSE_S;
  return { typical: 2 * opts.warmupS + steps * perStep, steps };
};

const stepLine = (r: StepResult) =>
  `  delivered ${fmt(r.deliveredPerS)}/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms, lost ${r.lost}, dup ${r.duplicates}, order ${r.orderViolations}, errors ${r.sendErrors}, skipped ${r.skipped}; others ${fmt(r.othersCores, 2)} cores, ${formatMachineLoad(r.machine)}${r.sustained ? '' : ' — not sustained'}`;

export const runSearch = async (
  opts: DeliveryOptions,
  { lockbox, baseline }: DeliveryTargets,
  progress: (m: string) => void,
): Promise<SearchRun> => {
  const warmRate = Math.max(50, Math.round(opts.search.start / 2));
  for (const t of [baseline, lockbox]) {
    progress(`warming ${t.name} up (${opts.warmupS} s at ${warmRate} msgs/s)…`);
    await runStep(opts, t, warmRate, opts.warmupS);
  }

  const searches = new Map([lockbox, baseline].map((t) => [t.name, new RateSearch(opts.search)]));
  const deadline = nowMs() + opts.budgetMin * 60_000;
  const results: StepResult[] = [];
  let order = [baseline, lockbox];
  let outOfTime = false;
  for (;;) {
    let stepped = false;
    for (const target of order) {
      const search = searches.get(target.name) as RateSearch;
      const rate = search.next();
      if (rate === undefined) continue;
      if (nowMs() > deadline) {
        outOfTime = true;
        break;
      }
      if (opts.stepWarmupS > 0) await runStep(opts, target, rate, opts.stepWarmupS);
      progress(`${target.name} at ${rate} msgs/s for ${opts.durationS} s…`);
      const r = await runStep(opts, target, rate, opts.durationS);
      results.push(r);
      search.record(rate, r.sustained);
      progress(stepLine(r));
      stepped = true;
      await sleep(PAUSE_S * 1000);
    }
    if (!stepped || outOfTime) break;
    order = [...order].reverse();
  }
  const outcomes: Record<string, SearchOutcome> = {};
  for (const [name, search] of searches) outcomes[name] = search.outcome();
  return { results, outcomes, outOfTime };
};
