/**
 * Rate limits on rate-limiter-flexible: in memory for one instance, in Redis
 * when REDIS_URL is set so every instance shares the counts. If Redis is
 * unreachable the limiter falls back to memory instead of failing requests.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
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

const retryAfterOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export const createLimiter = (rule: LimitRule, redis?: Redis, prefix = 'lockbox'): Limiter => {
  const opts = {
    keyPrefix: `${prefix}:rl:${rule.name}`,
    points: rule.points,
    duration: rule.windowSeconds,
    ...(rule.blockSeconds ? { blockDuration: rule.blockSeconds } : {}),
  };
  const memory = new RateLimiterMemory(opts);
  const limiter = redis
    ? new RateLimiterRedis({ ...opts, storeClient: redis, insuranceLimiter: memory })
    : memory;
  const tooMany = (res: unknown): never => {
    if (res instanceof Error) throw res;
    const retryAfter = retryAfterOf(res as RateLimiterRes);
    throw new AppError('rate_limited', `too many attempts; retry in ${retryAfter}s`, { retryAfter });
  };
  return {
    consume: async (key, points = 1) => {
      await limiter.consume(key, points).catch(tooMany);
    },
    // `points` failures are allowed, so the one that reaches `points` blocks at
    // once: the next attempt is refused instead of getting one more guess.
    penalize: async (key) => {
      const res = await limiter.penalty(key, 1);
      if (res.consumedPoints < rule.points) return false;
      if (rule.blockSeconds) await limiter.block(key, rule.blockSeconds);
      return true;
    },
    check: async (key) => {
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= rule.points) tooMany(res);
    },
    reset: async (key) => {
      await limiter.delete(key);
    },
  };
};
