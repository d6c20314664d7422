/**
 * Fan-out between realtime instances. Without Redis there is one instance and
 * delivery is local. With REDIS_URL every delivery is handed to this
 * instance's sockets directly and published on one channel; every other
 * instance delivers it to the sockets it holds.
 *
 * Redis pub/sub keeps nothing: while Redis is unreachable, other instances
 * miss deliveries. Nothing is lost, because messages are committed before
 * they are delivered: when the subscription comes back, every socket with a
 * position fetches what it missed (`onRecovered`), and a client that
 * reconnects resumes from its cursor.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@lockbox/service-kit';
import { Redis } from 'ioredis';
import type { Delivery, LocalDelivery } from './local-delivery';

export interface FanOut {
  readonly mode: 'local' | 'redis';
  /** Whether deliveries currently reach the other instances. */
  readonly connected: boolean;
  /** Delivers everywhere; `fannedOut` false means only this instance's sockets got it. */
  publish(deliveries: Delivery[]): Promise<{ local: number; fannedOut: boolean }>;
  close(): Promise<void>;
}

export const createLocalFanOut = (deliverLocal: LocalDelivery): FanOut => ({
  mode: 'local',
  connected: true,
  publish: async (deliveries) => ({ local: deliverLocal(deliveries), fannedOut: true }),
  close: async () => undefined,
});

interface Envelope {
  /** Publishing instance (it has delivered locally already). */
  o: string;
  d: Delivery[];
}

export interface RedisFanOutOptions {
  url: string;
  prefix: string;
  log: Logger;
  deliverLocal: LocalDelivery;
  /** The subscription was down and is back: deliveries may have been missed. */
  onRecovered: () => void;
}

const redisOptions = {
  // Fail fast while Redis is away (the caller degrades to local delivery) instead of queueing.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  lazyConnect: true,
};

export const createRedisFanOut = async (opts: RedisFanOutOptions): Promise<FanOut> => {
  const channel = `${opts.prefix}:rt:deliver`;
  const self = randomBytes(8).toString('hex');
  // A Redis that hangs must not hold up the caller of `deliver` either.
  const pub = new Redis(opts.url, { ...redisOptions, commandTimeout: 1_000 });
  // The subscriber queues its SUBSCRIBE until connected, and resubscribes after every reconnect.
  const sub = new Redis(opts.url, { ...redisOptions, enableOfflineQueue: true, maxRetriesPerRequest: null });
  let subscribed = false;
  let everSubscribed = false;
  let lostSince: number | undefined;
  let publishFailing = false;

  for (const [name, client] of [
    ['publisher', pub],
    ['subscriber', sub],
  ] as const) {
    // ioredis reports every failed reconnect attempt: one warning per outage, the rest at debug.
    let failing = false;
    client.on('error', (err) => {
      opts.log[failing ? 'debug' : 'warn']({ err: err.message, client: name }, 'redis error');
      failing = true;
    });
    client.on('ready', () => {
      failing = false;
    });
  }
  let closing = false;
  sub.on('close', () => {
    if (subscribed && !closing) {
      subscribed = false;
      lostSince = Date.now();
      opts.log.warn('redis subscription lost: deliveries to other instances wait for resume');
    }
  });
  sub.on('ready', () => {
    if (lostSince === undefined) return;
    const down = Date.now() - lostSince;
    lostSince = undefined;
    // 'ready' fires before ioredis resubscribes; our own SUBSCRIBE answers after its, so once it
    // resolves nothing published from here on is missed, and the catch-up covers what was.
    sub.subscribe(channel).then(
      () => {
        subscribed = true;
        if (everSubscribed) opts.log.info({ down_ms: down }, 'redis subscription back: catching sockets up');
        else opts.log.info({ channel }, 'redis fan-out subscribed');
        everSubscribed = true;
        opts.onRecovered();
      },
      (err) => {
        lostSince ??= Date.now() - down;
        opts.log.warn({ err: (err as Error).message }, 'redis resubscribe failed');
      },
    );
  });
  sub.on('message', (_channel: string, raw: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      opts.log.warn('unreadable fan-out envelope dropped');
      return;
    }
    if (envelope.o !== self) opts.deliverLocal(envelope.d);
  });

  // Start even when Redis is away: local delivery works, and ioredis keeps reconnecting.
  lostSince = Date.now();
  await Promise.all([pub.connect(), sub.connect()]).catch((err) =>
    opts.log.warn({ err: (err as Error).message }, 'redis unreachable at start: local delivery only for now'),
  );

  return {
    mode: 'redis',
    get connected() {
      return subscribed && pub.status === 'ready';
    },
    publish: async (deliveries) => {
      const local = opts.deliverLocal(deliveries);
      try {
        await pub.publish(channel, JSON.stringify({ o: self, d: deliveries } satisfies Envelope));
        if (publishFailing) opts.log.info('fan-out publishing again');
        publishFailing = false;
        return { local, fannedOut: true };
      } catch (err) {
        // One warning per outage, not one per message.
        if (!publishFailing)
          opts.log.warn(
            { err: (err as Error).message },
            'fan-out publish failed: other instances catch up later',
          );
        publishFailing = true;
        return { local, fannedOut: false };
      }
    },
    close: async () => {
      closing = true;
      pub.disconnect();
      sub.disconnect();
    },
  };
};
