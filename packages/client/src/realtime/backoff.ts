/**
 * Reconnect delays: exponential backoff with "full jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): a uniformly random delay in
 * [0, min(cap, base·2^attempt)], so a fleet of clients dropped together does
 * not come back in lockstep.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** A number in [0, 1); Math.random by default, injectable for tests. */
  random?: () => number;
}

export const createBackoff = (opts: BackoffOptions = {}) => {
  const base = opts.baseMs ?? 250;
  const cap = opts.capMs ?? 30_000;
  const random = opts.random ?? Math.random;
  let attempt = 0;
  return {
    next(): number {
      const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
      attempt++;
      return Math.floor(random() * ceiling);
    },
    reset(): void {
      attempt = 0;
    },
    get attempts(): number {
      return attempt;
    },
  };
};
