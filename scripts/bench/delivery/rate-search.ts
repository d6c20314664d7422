/**
 * Finding a target's sustained rate (pure: no I/O, so it is unit-tested).
 *
 * First a bracket: from the start rate, doubling while steps are sustained
 * (up to the maximum) or halving while they are not; then bisection between
 * the highest sustained rate and the lowest failed one, to the resolution.
 * Last, the two deciding rates (the bracket's ends) are repeated until each
 * has `repeats` trials; a rate's verdict is the majority of its trials (a tie
 * counts as failed). A repeat that turns a verdict reopens the bracket and the
 * bisection goes on. `maxSteps` bounds the whole search.
 */

export interface SearchPlan {
  /** First rate tried, msgs/s. */
  start: number;
  /** Bisection stops when the bracket is this narrow; every probed rate is a multiple of it. */
  resolution: number;
  /** Never probe above this. */
  maxRate: number;
  /** Trials of each deciding rate. */
  repeats: number;
  /** Steps at most, trials included. */
  maxSteps: number;
}

export interface SearchOutcome {
  /** Highest rate whose verdict is sustained (0: none was). */
  sustained: number;
  /** Lowest rate whose verdict is not sustained (undefined: none failed up to maxRate). */
  failedAt: number | undefined;
  /** Every trial, in order. */
  trials: { rate: number; sustained: boolean }[];
  /** False when the step budget ran out before both deciding rates had their repeats. */
  complete: boolean;
}

export const verdictOf = (trials: readonly boolean[]): boolean =>
  trials.filter(Boolean).length * 2 > trials.length;

export class RateSearch {
  readonly #plan: SearchPlan;
  readonly #trials: { rate: number; sustained: boolean }[] = [];

  constructor(plan: SearchPlan) {
    if (plan.resolution <= 0 || plan.start <= 0 || plan.maxRate < plan.start || plan.repeats < 1)
      throw new RangeError('a search needs 0 < resolution, 0 < start ≤ maxRate and repeats ≥ 1');
    this.#plan = plan;
  }

  record(rate: number, sustained: boolean): void {
    this.#trials.push({ rate, sustained });
  }

  #of(rate: number): boolean[] {
    return this.#trials.filter((t) => t.rate === rate).map((t) => t.sustained);
  }

  /** The bracket from the verdicts so far: [highest pass below the lowest fail, lowest fail]. */
  #bracket(): { pass: number; fail: number } {
    const rates = [...new Set(this.#trials.map((t) => t.rate))];
    const fail = Math.min(Infinity, ...rates.filter((r) => !verdictOf(this.#of(r))));
    const pass = Math.max(0, ...rates.filter((r) => r < fail && verdictOf(this.#of(r))));
    return { pass, fail };
  }

  #down(x: number): number {
    return Math.floor(x / this.#plan.resolution) * this.#plan.resolution;
  }

  /** The rate to try next, or undefined when the search is over. */
  next(): number | undefined {
    const { start, resolution, maxRate, repeats, maxSteps } = this.#plan;
    if (this.#trials.length >= maxSteps) return undefined;
    if (this.#trials.length === 0) return start;
    const { pass, fail } = this.#bracket();
    if (fail === Infinity && pass < maxRate) return Math.min(maxRate, Math.max(pass * 2, pass + resolution));
    if (pass === 0 && fail > resolution) return Math.max(resolution, this.#down(fail / 2));
    if (fail !== Infinity && pass > 0 && fail - pass > resolution) {
      const mid = pass + this.#down((fail - pass) / 2);
      return mid > pass ? mid : pass + resolution;
    }
    // The bracket is decided: repeat its ends until each has its trials.
    for (const rate of [pass, fail])
      if (rate > 0 && rate !== Infinity && this.#of(rate).length < repeats) return rate;
    return undefined;
  }

  outcome(): SearchOutcome {
    const { pass, fail } = this.#bracket();
    const decided = [pass, fail].every(
      (r) => r === 0 || r === Infinity || this.#of(r).length >= this.#plan.repeats,
    );
    return {
      sustained: pass,
      failedAt: fail === Infinity ? undefined : fail,
      trials: [...this.#trials],
      complete: decided,
    };
  }
}

/**
 * Steps a search can take at most, for the duration printed before a run: the budget, or fewer
 * when the plan cannot need that many (bracket by doubling, bisect, repeat both ends).
 */
export const maxProbes = (plan: SearchPlan): number => {
  const doublings = Math.ceil(Math.log2(Math.max(1, plan.maxRate / plan.start))) + 1;
  const halvings = Math.ceil(Math.log2(Math.max(1, plan.start / plan.resolution))) + 1;
  const bisections = Math.ceil(Math.log2(Math.max(2, plan.maxRate / plan.resolution)));
  const bound = Math.max(doublings, halvings) + bisections + 2 * plan.repeats;
  return Math.min(plan.maxSteps, bound);
};

/** The median of a list and its range (for the repeated deciding steps). */
export const medianAndSpread = (xs: readonly number[]): { median: number; min: number; max: number } => {
  if (xs.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  return { median, min: s[0] as number, max: s.at(-1) as number };
};
