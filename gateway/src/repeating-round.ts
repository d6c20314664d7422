/**
 * A job the gateway repeats on a timer (health probes, upstream DNS lookups):
 * the first round at once, the next one an interval after the previous ended,
 * and concurrent callers of `run()` share the round in flight instead of
 * starting another. The timer never keeps the process alive.
 */
export class RepeatingRound {
  readonly #job: () => Promise<void>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(job: () => Promise<void>, intervalMs: number) {
    this.#job = job;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    const tick = () => {
      void this.run().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(tick, this.#intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs the job now, or joins the round already running. */
  run(): Promise<void> {
    this.#inFlight ??= this.#job().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }
}
