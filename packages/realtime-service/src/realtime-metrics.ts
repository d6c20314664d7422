/**
 * What an operator watches on a realtime instance, beyond the request
 * histogram every service has: open sockets, whether the Redis fan-out
 * reaches the other instances, and how long a committed message took to
 * reach this instance's sockets. No label names a user: series stay bounded.
 */
import type { Metrics } from '@lockbox/service-kit';
import type { FanOut } from './delivery/fan-out';
import type { ConnectionRegistry } from './socket/registry';

/** From a second's fraction (same process) to tens of seconds (a stalled fan-out or message-service). */
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const watchSockets = (metrics: Metrics, registry: ConnectionRegistry): void => {
  metrics.gaugeFrom(
    'lockbox_realtime_websocket_connections',
    'WebSockets open on this instance',
    () => registry.sockets,
  );
  metrics.gaugeFrom(
    'lockbox_realtime_connected_users',
    'Users with at least one socket here',
    () => registry.users,
  );
};

/**
 * 1 while deliveries reach every instance, 0 while the Redis subscription or
 * publisher is down (label mode="redis"); always 1 with mode="local" (one instance).
 */
export const watchFanOut = (metrics: Metrics, fanOut: FanOut): void => {
  metrics.gaugeFrom(
    'lockbox_realtime_fanout_connected',
    'Whether deliveries reach the other realtime instances (Redis fan-out up)',
    () => (fanOut.connected ? 1 : 0),
    { mode: fanOut.mode },
  );
};

/**
 * Observes a live message's lag: from its `created_at` (set when message-service
 * committed it) to the frame being handed to this instance's sockets. Across
 * hosts it includes their clock difference; a negative value counts as 0.
 */
export const deliveryLagRecorder = (metrics: Metrics, now: () => number = Date.now) => {
  const observe = metrics.histogram(
    'lockbox_realtime_delivery_lag_seconds',
    'Time from a message being committed to its frame being handed to sockets on this instance',
    LAG_BUCKETS,
  );
  return (createdAt: unknown): void => {
    if (typeof createdAt !== 'string') return;
    const committed = Date.parse(createdAt);
    if (Number.isNaN(committed)) return;
    observe(Math.max(0, now() - committed) / 1000);
  };
};

export type DeliveryLagRecorder = ReturnType<typeof deliveryLagRecorder>;
