import { describe, expect, it } from 'vitest';
import { maxProbes, medianAndSpread, RateSearch, type SearchPlan, verdictOf } from '../delivery/rate-search';

const PLAN: SearchPlan = { start: 1000, resolution: 250, maxRate: 4000, repeats: 3, maxSteps: 40 };

/** Runs a search against `oracle` (is this trial at this rate sustained?) until it stops. */
const run = (plan: SearchPlan, oracle: (rate: number, trial: number) => boolean) => {
  const search = new RateSearch(plan);
  const seen = new Map<number, number>();
  for (let rate = search.next(); rate !== undefined; rate = search.next()) {
    const trial = seen.get(rate) ?? 0;
    seen.set(rate, trial + 1);
    search.record(rate, oracle(rate, trial));
  }
  return search.outcome();
};

const capacity = (c: number) => (rate: number) => rate <= c;
const countAt = (trials: { rate: number }[], rate: number) => trials.filter((t) => t.rate === rate).length;

describe('RateSearch', () => {
  it('brackets by doubling, bisects to the resolution and repeats both deciding rates', () => {
    const out = run(PLAN, capacity(1830));
    expect(out.sustained).toBe(1750);
    expect(out.failedAt).toBe(2000);
    expect(out.complete).toBe(true);
    expect(out.trials.map((t) => t.rate).slice(0, 5)).toEqual([1000, 2000, 1500, 1750, 1750]);
    expect(countAt(out.trials, 1750)).toBe(3);
    expect(countAt(out.trials, 2000)).toBe(3);
    // every probed rate is a multiple of the resolution
    expect(out.trials.every((t) => t.rate % PLAN.resolution === 0)).toBe(true);
  });

  it('halves below a failed start', () => {
    const out = run(PLAN, capacity(300));
    expect(out.trials[1]?.rate).toBe(500);
    expect(out.sustained).toBe(250);
    expect(out.failedAt).toBe(500);
  });

  it('reports 0 when even the resolution is not sustained, after repeating it', () => {
    const out = run(PLAN, capacity(100));
    expect(out.sustained).toBe(0);
    expect(out.failedAt).toBe(250);
    expect(countAt(out.trials, 250)).toBe(3);
    expect(out.complete).toBe(true);
  });

  it('stops at the maximum rate when everything is sustained, and repeats it', () => {
    const out = run(PLAN, capacity(1e9));
    expect(out.sustained).toBe(4000);
    expect(out.failedAt).toBeUndefined();
    expect(countAt(out.trials, 4000)).toBe(3);
    expect(Math.max(...out.trials.map((t) => t.rate))).toBe(4000);
  });

  it('decides a rate by the majority of its trials, not by its first one', () => {
    // 2000 passes once by luck, then fails twice: the verdict is failed.
    const out = run(PLAN, (rate, trial) => rate <= 1500 || (rate === 2000 && trial === 0));
    expect(out.sustained).toBe(1500);
    expect(out.failedAt).toBe(1750);
  });

  it('reopens the bracket when a repeat turns the verdict of the sustained end', () => {
    // 1750 passes its first trial, then fails both repeats: the search goes back to 1500.
    const out = run(PLAN, (rate, trial) => rate <= 1500 || (rate === 1750 && trial === 0));
    expect(out.sustained).toBe(1500);
    expect(out.failedAt).toBe(1750);
    expect(countAt(out.trials, 1500)).toBe(3);
    expect(out.complete).toBe(true);
  });

  it('stops at the step budget and says the answer is not complete', () => {
    const out = run({ ...PLAN, maxSteps: 4 }, capacity(1830));
    expect(out.trials).toHaveLength(4);
    expect(out.complete).toBe(false);
  });

  it('never takes more steps than maxProbes says (the printed duration is an upper bound)', () => {
    for (let c = 0; c <= 5000; c += 37) {
      const out = run(PLAN, capacity(c));
      expect(out.trials.length, `capacity ${c}`).toBeLessThanOrEqual(maxProbes(PLAN));
      expect(out.complete, `capacity ${c}`).toBe(true);
      expect(c - out.sustained, `capacity ${c}`).toBeLessThan(PLAN.resolution + (c > PLAN.maxRate ? c : 0));
    }
  });

  it('refuses a plan it cannot search', () => {
    expect(() => new RateSearch({ ...PLAN, resolution: 0 })).toThrow(RangeError);
    expect(() => new RateSearch({ ...PLAN, maxRate: 500 })).toThrow(RangeError);
  });
});

describe('verdictOf and medianAndSpread', () => {
  it('counts a tie as not sustained', () => {
    expect(verdictOf([true, false])).toBe(false);
    expect(verdictOf([true, true, false])).toBe(true);
    expect(verdictOf([])).toBe(false);
  });

  it('gives the median and the range', () => {
    expect(medianAndSpread([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30 });
    expect(medianAndSpread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(Number.isNaN(medianAndSpread([]).median)).toBe(true);
  });
});
