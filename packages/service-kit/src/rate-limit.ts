/**
 * Rate limits on rate-limiter-flexible: in memory for one instance, in Redis
 * when REDIS_URL is set so every instance shares the counts. If Redis is
 * unreachable or stalls the limiter falls back to memory instead of failing
 * (or holding) requests.
 */
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from './errors';

export interface LimitRule {
  /** Name, also the Redis key prefix. */
  name: string;
  /** Allowed events per window. */
  points: number;
  windowSeconds: number;
  /** Once over, refuse for this long (defaults to the rest of the window). */
  blockSeconds?: number;
}

export interface Limiter {
  /** Counts one event for `key`; throws 429 with Retry-After when over. */
  consume(key: string, points?: number): Promise<void>;
  /**
   * Counts a failure without throwing; true when it used the last of the
   * allowance, which starts the block (`blockSeconds`) right away.
   */
  penalize(key: string): Promise<boolean>;
  /** Throws 429 once `key` has used its allowance (the next event would be refused), without counting. */
  check(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/**
 * ioredis options for a client that only backs rate limits: fail fast instead of queueing while
 * Redis is away, and give up on a command after `commandTimeout` — a Redis that takes commands
 * and never answers (a stalled network path) otherwise held every limited request, and the
 * process's shutdown (QUIT), forever. A failed command falls back to the in-memory limiter.
 */
export const LIMITER_REDIS_OPTIONS = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  commandTimeout: 1_000,
} as const;

const retryAfterOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** After a Redis failure, a limiter counts in memory this long before it tries Redis again. */
const REDIS_RETRY_MS = 5_000;

export const createLimiter = (rule: LimitRule, redis?: Redis, prefix = 'lockbox'): Limiter => {
  const opts = {
    keyPrefix: `${prefix}:rl:${rule.name}`,
    points: rule.points,
    duration: rule.windowSeconds,
    ...(rule.blockSeconds ? { blockDuration: rule.blockSeconds } : {}),
  };
  const memory = new RateLimiterMemory(opts);
  const shared = redis ? new RateLimiterRedis({ ...opts, storeClient: redis }) : undefined;
  // While Redis fails (refused, or stalled until the command timeout) count in memory, and try Redis
  // again only after a pause: a stalled Redis costs one timeout per pause, not one per request.
  let sharedFailedAt = Number.NEGATIVE_INFINITY;
  const use = async <T>(call: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> => {
    if (!shared || Date.now() - sharedFailedAt < REDIS_RETRY_MS) return call(memory);
    try {
      return await call(shared);
    } catch (err) {
      if (!(err instanceof Error)) throw err; // a RateLimiterRes: over the limit, not a store failure
      sharedFailedAt = Date.now();
      return call(memory);
    }
  };
  const tooMany = (res: unknown): never => {
    if (res instanceof Error) throw res;
    const retryAfter = retryAfterOf(res as RateLimiterRes);
    throw new AppError('rate_limited', `too many attempts; retry in ${retryAfter}s`, { retryAfter });
  };
  return {
    consume: async (key, points = 1) => {
      await use((l) => l.consume(key, points)).catch(tooMany);
    },
    // `points` failures are allowed, so the one that reaches `points` blocks at
    // once: the next attempt is refused instead of getting one more guess.
    penalize: async (key) => {
      const res = await use((l) => l.penalty(key, 1));
      if (res.consumedPoints < rule.points) return false;
      const { blockSeconds } = rule;
      if (blockSeconds) await use((l) => l.block(key, blockSeconds));
      return true;
    },
    check: async (key) => {
      const res = await use((l) => l.get(key));
      if (res && res.consumedPoints >= rule.points) tooMany(res);
    },
    reset: async (key) => {
      await use((l) => l.delete(key));
    },
  };
};
