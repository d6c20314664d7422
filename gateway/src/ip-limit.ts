/**
 * The per-IP limit over every proxied request and upgrade (service-kit's
 * limiter: memory, or Redis when REDIS_URL is set so every gateway shares the
 * counts). The key is the socket's remote address — never a header a client
 * can write. If the store fails for another reason than the limit, the request
 * goes through: this limit protects capacity, and the services keep their own
 * limits on login and register.
 */
import { AppError, createLimiter, type Limiter, type Logger } from '@lockbox/service-kit';
import type { Redis } from 'ioredis';

export type IpVerdict = { ok: true } | { ok: false; retryAfter: number };

const OK: IpVerdict = { ok: true };
const RESOLVED_OK = Promise.resolve(OK);

export class IpLimit {
  readonly #limiter: Limiter | undefined;
  readonly #log: Logger;

  constructor(points: number, windowSeconds: number, redis: Redis | undefined, prefix: string, log: Logger) {
    this.#log = log;
    this.#limiter =
      points > 0 ? createLimiter({ name: 'gateway-ip', points, windowSeconds }, redis, prefix) : undefined;
  }

  check(ip: string): Promise<IpVerdict> {
    if (this.#limiter === undefined) return RESOLVED_OK;
    return this.#limiter.consume(ip).then(
      () => OK,
      (err: unknown): IpVerdict => {
        if (err instanceof AppError && err.appCode === 'rate_limited')
          return { ok: false, retryAfter: err.retryAfter ?? 1 };
        this.#log.warn({ err }, 'rate limit store failed; letting the request through');
        return OK;
      },
    );
  }
}
