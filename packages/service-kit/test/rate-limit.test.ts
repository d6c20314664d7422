/** Limits in memory and in Redis: counted per key, 429 with Retry-After, blocks that expire, Redis loss tolerated. */
import { randomBytes } from 'node:crypto';
import { eventually, startFaultProxy, throughProxy } from '@lockbox/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../src/errors';
import { createLimiter, LIMITER_REDIS_OPTIONS } from '../src/rate-limit';

const REDIS_URL = process.env.REDIS_URL;
const redisClients: Redis[] = [];
afterAll(() => {
  for (const r of redisClients) r.disconnect();
});

const backends: Array<[string, () => Redis | undefined]> = [['memory', () => undefined]];
if (REDIS_URL)
  backends.push([
    'redis',
    () => {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      redisClients.push(r);
      return r;
    },
  ]);

const rejection = async (p: Promise<unknown>): Promise<AppError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe.each(backends)('createLimiter on %s', (_name, makeRedis) => {
  const prefix = `sktest${randomBytes(4).toString('hex')}`;
  const limiter = (points: number, windowSeconds: number, blockSeconds?: number) =>
    createLimiter(
      {
        name: `t${randomBytes(3).toString('hex')}`,
        points,
        windowSeconds,
        ...(blockSeconds ? { blockSeconds } : {}),
      },
      makeRedis(),
      prefix,
    );

  it('consume: allows `points` events per key, then 429 with Retry-After within the window', async () => {
    const l = limiter(3, 60);
    for (let i = 0; i < 3; i++) await l.consume('ip-a');
    const err = await rejection(l.consume('ip-a'));
    expect(err.appCode).toBe('rate_limited');
    expect(err.retryAfter).toBeGreaterThanOrEqual(1);
    expect(err.retryAfter).toBeLessThanOrEqual(60);
    await l.consume('ip-b'); // other keys are untouched
  });

  it('check: refuses once the allowance is used, without counting', async () => {
    const l = limiter(2, 60);
    await l.check('k');
    await l.check('k');
    expect(await l.penalize('k')).toBe(false);
    await l.check('k');
    expect(await l.penalize('k')).toBe(true);
    const err = await rejection(l.check('k'));
    expect(err.appCode).toBe('rate_limited');
  });

  it('penalize: the failure that uses the allowance starts the block, whose length is the Retry-After', async () => {
    const l = limiter(3, 600, 2);
    expect(await l.penalize('acct')).toBe(false);
    expect(await l.penalize('acct')).toBe(false);
    expect(await l.penalize('acct')).toBe(true);
    const err = await rejection(l.check('acct'));
    expect(err.retryAfter).toBe(2);
    // The block ends (the window was 600 s): the key is usable again.
    await eventually(
      async () =>
        (await l.check('acct').then(
          () => true,
          () => false,
        ))
          ? true
          : undefined,
      10_000,
      200,
    );
    expect(await l.penalize('acct')).toBe(false);
  });

  it('reset: clears a key', async () => {
    const l = limiter(1, 60);
    await l.consume('r');
    await rejection(l.consume('r'));
    await l.reset('r');
    await l.consume('r');
  });
});

describe('createLimiter with Redis unreachable', () => {
  it('falls back to memory: still limits, never fails the request', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    redisClients.push(dead);
    const l = createLimiter({ name: 'dead', points: 2, windowSeconds: 60, blockSeconds: 5 }, dead, 'sktest');
    await l.consume('x');
    await l.consume('x');
    expect((await rejection(l.consume('x'))).appCode).toBe('rate_limited');
    expect(await l.penalize('y')).toBe(false);
    expect(await l.penalize('y')).toBe(true);
    expect((await rejection(l.check('y'))).retryAfter).toBe(5);
  });
});

describe.runIf(REDIS_URL)('createLimiter with Redis stalled', () => {
  it('falls back to memory after one command timeout, and leaves Redis alone for a while', async () => {
    const path = await startFaultProxy({ target: REDIS_URL as string });
    const stalled = new Redis(throughProxy(REDIS_URL as string, path), LIMITER_REDIS_OPTIONS);
    stalled.on('error', () => undefined);
    redisClients.push(stalled);
    try {
      await eventually(async () => (stalled.status === 'ready' ? true : undefined));
      const l = createLimiter({ name: 'stalled', points: 2, windowSeconds: 60 }, stalled, 'sktest');
      await path.mode('blackhole'); // takes commands, never answers
      const sent = vi.spyOn(stalled, 'sendCommand');
      await l.consume('x'); // waits out the command timeout once, then counts in memory
      await l.consume('x');
      expect((await rejection(l.consume('x'))).appCode).toBe('rate_limited');
      expect(sent.mock.calls.length).toBe(1);
    } finally {
      await path.close();
    }
  });
});
