/**
 * Whether a user has a socket on any instance. One instance answers from its
 * own registry. With Redis, each user has a set of the instances holding
 * their sockets, and each instance keeps a heartbeat entry: an instance that
 * died without cleaning up stops counting once its heartbeat is stale, so a
 * crash cannot leave someone "online" forever. If Redis is unreachable the
 * answer falls back to this instance's view.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import type { ConnectionRegistry } from '../socket/registry';

export interface PresenceStore {
  /** This instance now holds the user's first socket; true when they were offline everywhere. */
  up(userId: string): Promise<boolean>;
  /** This instance released the user's last socket; true when they are now offline everywhere. */
  down(userId: string): Promise<boolean>;
  onlineAmong(userIds: string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

export const createLocalPresence = (registry: ConnectionRegistry): PresenceStore => ({
  up: async () => true,
  down: async () => true,
  onlineAmong: async (ids) => new Set(ids.filter((id) => registry.isOnline(id))),
  close: async () => undefined,
});

const HEARTBEAT_MS = 5_000;
const STALE_MS = 20_000;

export const createRedisPresence = (
  url: string,
  prefix: string,
  registry: ConnectionRegistry,
  log: Logger,
): PresenceStore => {
  const self = randomBytes(8).toString('hex');
  const instancesKey = `${prefix}:rt:instances`;
  const userKey = (id: string) => `${prefix}:rt:presence:${id}`;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis (presence) error'));
  let live = new Set<string>([self]);

  const beat = async () => {
    const now = Date.now();
    const [, , members] = (await redis
      .multi()
      .zadd(instancesKey, now, self)
      .zremrangebyscore(instancesKey, 0, now - STALE_MS * 10)
      .zrangebyscore(instancesKey, now - STALE_MS, '+inf')
      .exec()
      .then((r) => r?.map(([, v]) => v) ?? [])) as [unknown, unknown, string[] | undefined];
    live = new Set([self, ...(members ?? [])]);
  };
  const timer = setInterval(() => beat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();
  beat().catch(() => undefined);

  const othersOnline = (members: string[]) => members.some((m) => m !== self && live.has(m));

  /** Adds or removes this instance in the user's set; true when no other instance has the user online. */
  const aloneAfter = async (change: 'sadd' | 'srem', userId: string) => {
    try {
      const result = await redis.multi()[change](userKey(userId), self).smembers(userKey(userId)).exec();
      return !othersOnline((result?.[1]?.[1] as string[] | undefined) ?? []);
    } catch {
      return true;
    }
  };

  return {
    up: (userId) => aloneAfter('sadd', userId),
    down: (userId) => aloneAfter('srem', userId),
    onlineAmong: async (ids) => {
      const online = new Set(ids.filter((id) => registry.isOnline(id)));
      const rest = ids.filter((id) => !online.has(id));
      if (rest.length === 0) return online;
      try {
        const pipeline = redis.pipeline();
        for (const id of rest) pipeline.smembers(userKey(id));
        const results = (await pipeline.exec()) ?? [];
        results.forEach(([, members], i) => {
          if (othersOnline((members as string[] | undefined) ?? [])) online.add(rest[i] as string);
        });
      } catch {
        // Redis away: this instance's view is the best answer there is.
      }
      return online;
    },
    close: async () => {
      clearInterval(timer);
      await redis.zrem(instancesKey, self).catch(() => undefined);
      redis.disconnect();
    },
  };
};
