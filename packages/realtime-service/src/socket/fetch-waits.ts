/**
 * The sockets of this process that are waiting out a delay before their next
 * history fetch attempt (message-service was unreachable). A fetch that
 * succeeds anywhere in the process shows message-service is back, so
 * `wakeAll` ends every such wait — each after its own random jitter (up to
 * `jitterMs`), so the retries, which would come anyway, do not land in one
 * instant.
 */
export class FetchRetryWaits {
  readonly #waiting = new Set<() => void>();
  readonly #jitterMs: number;

  constructor(jitterMs = 100) {
    this.#jitterMs = jitterMs;
  }

  get size(): number {
    return this.#waiting.size;
  }

  add(wake: () => void): void {
    this.#waiting.add(wake);
  }

  delete(wake: () => void): void {
    this.#waiting.delete(wake);
  }

  /** Ends every wait (after the jitter); waits that start later are not affected. */
  wakeAll(): void {
    if (this.#waiting.size === 0) return;
    for (const wake of this.#waiting) setTimeout(wake, Math.random() * this.#jitterMs).unref();
    this.#waiting.clear();
  }
}
