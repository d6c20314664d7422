/**
 * Hands committed events to realtime-service for live delivery. Called only
 * after the transaction commits, fire-and-forget: a failure is logged and never
 * fails the request, because nothing is lost (the recipient replays from its
 * cursor on resume). Bounded: a timeout per call, and a cap on calls in flight
 * so a stalled realtime cannot pile up sockets and memory here.
 */
import type { RealtimeInternalRouter, TDeliverRequest } from '@lockbox/contracts';
import { createInternalClient, type Logger } from '@lockbox/service-kit';

export interface Delivery {
  /** Never throws, never waits for realtime. Several deliveries go in one call (`deliverMany`). */
  deliver(...deliveries: TDeliverRequest[]): void;
  /** Resolves when every call in flight has settled (shutdown, tests). */
  drain(): Promise<void>;
}

export const createDelivery = (opts: {
  /** Empty: live delivery is off. */
  urls: string[];
  internalToken: string;
  timeoutMs: number;
  maxInFlight: number;
  log: Logger;
}): Delivery => {
  if (opts.urls.length === 0) {
    opts.log.info('REALTIME_URLS=off: no live delivery; clients catch up with GET /messages');
    return { deliver: () => undefined, drain: async () => undefined };
  }
  const realtime = createInternalClient<RealtimeInternalRouter>({
    urls: opts.urls,
    internalToken: opts.internalToken,
    timeoutMs: opts.timeoutMs,
  });
  const inFlight = new Set<Promise<unknown>>();
  let failing = false;
  return {
    deliver: (...deliveries) => {
      const types = deliveries.map((d) => d.event.type);
      if (inFlight.size >= opts.maxInFlight) {
        opts.log.warn({ types }, 'realtime backlog full; events left for resume');
        return;
      }
      const [only] = deliveries;
      const send = () =>
        deliveries.length === 1 && only
          ? realtime.internal.deliver.mutate(only)
          : realtime.internal.deliverMany.mutate({ deliveries });
      // Messages are retried once: a timed-out hand-over may or may not have reached realtime,
      // and a socket never sends a cursor it already sent, so a second copy is harmless.
      // Other events carry no cursor and are not retried (a duplicate would show).
      const retryable = types.every((t) => t === 'new_message');
      const call = send()
        .catch((err: unknown) => {
          if (!retryable) throw err;
          return new Promise((r) => setTimeout(r, 200)).then(send);
        })
        .then(() => {
          if (failing) opts.log.info('realtime delivery works again');
          failing = false;
        })
        .catch((err: unknown) => {
          // One warning per outage; the details of later failures are debug noise.
          if (!failing) opts.log.warn({ err: (err as Error).message, types }, 'realtime delivery failed');
          else opts.log.debug({ err: (err as Error).message, types }, 'realtime delivery failed');
          failing = true;
        })
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    },
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
  };
};
