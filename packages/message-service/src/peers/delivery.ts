/**
 * Hands committed events to realtime-service for live delivery. Called only
 * after the transaction commits, fire-and-forget: a failure is logged and never
 * fails the request, because nothing is lost (the recipient replays from its
 * cursor on resume).
 *
 * Coalesced: events handed over within one tick, or while CONCURRENT_CALLS
 * calls are already out, go together in one `deliverMany` call (at most
 * DELIVER_MANY_MAX each). Measured, one internal HTTP call per send was the
 * largest cost of a send in both services; under load a call now carries the
 * sends of several requests, and an idle service still hands each send over at
 * once (the next tick). Order is kept: calls go out in the order events came.
 *
 * Bounded: a timeout per call, and a cap on events waiting or in flight so a
 * stalled realtime cannot pile up memory here; beyond it events are left for
 * resume.
 */
import type { RealtimeInternalRouter, TDeliverRequest } from '@lockbox/contracts';
import { createInternalClient, type Logger } from '@lockbox/service-kit';

export interface Delivery {
  /** Never throws, never waits for realtime. */
  deliver(...deliveries: TDeliverRequest[]): void;
  /** Resolves when every event handed over so far has been sent (or has failed) (shutdown, tests). */
  drain(): Promise<void>;
}

/** The contract's bound on `deliverMany`'s list. */
const DELIVER_MANY_MAX = 500;
/**
 * A call's body stays well under a realtime instance's body limit (LOCKBOX_BODY_LIMIT, 1 MiB by
 * default): events are counted by their envelope's size, and a batch is cut before it passes this
 * (a single event larger than this still goes, alone).
 */
const BATCH_BYTES = 256 * 1024;
const EVENT_OVERHEAD_BYTES = 512;
const sizeOf = (d: TDeliverRequest): number => {
  const data = d.event.data as { encrypted_blob?: unknown; signature?: unknown; sender_public_key?: unknown };
  const len = (v: unknown) => (typeof v === 'string' ? v.length : 0);
  return (
    EVENT_OVERHEAD_BYTES + len(data?.encrypted_blob) + len(data?.signature) + len(data?.sender_public_key)
  );
};
/** Calls out at once; events arriving meanwhile wait for the next call. */
const CONCURRENT_CALLS = 2;
const RETRY_AFTER_MS = 200;

export const createDelivery = (opts: {
  /** Empty: live delivery is off. */
  urls: string[];
  internalToken: string;
  timeoutMs: number;
  /** Events (deliveries) waiting or in flight at once; beyond that they are dropped (left for resume). */
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
  let queue: TDeliverRequest[] = [];
  /** Events queued or in calls not yet settled. */
  let pending = 0;
  let calls = 0;
  let scheduled = false;
  let failing = false;
  const idle = new Set<() => void>();

  const send = (deliveries: TDeliverRequest[]) => {
    const [only] = deliveries;
    return deliveries.length === 1 && only
      ? realtime.internal.deliver.mutate(only)
      : realtime.internal.deliverMany.mutate({ deliveries });
  };

  const call = async (deliveries: TDeliverRequest[]) => {
    const types = [...new Set(deliveries.map((d) => d.event.type))];
    try {
      try {
        await send(deliveries);
      } catch (err) {
        // Messages are retried once: a timed-out hand-over may or may not have reached realtime,
        // and a socket never sends a cursor it already sent, so a second copy is harmless.
        // Other events carry no cursor and are not retried (a duplicate would show).
        const messages = deliveries.filter((d) => d.event.type === 'new_message');
        if (messages.length === 0) throw err;
        await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
        await send(messages);
        if (messages.length < deliveries.length) throw err;
      }
      if (failing) opts.log.info('realtime delivery works again');
      failing = false;
    } catch (err) {
      // One warning per outage; the details of later failures are debug noise.
      if (!failing) opts.log.warn({ err: (err as Error).message, types }, 'realtime delivery failed');
      else opts.log.debug({ err: (err as Error).message, types }, 'realtime delivery failed');
      failing = true;
    }
  };

  const pump = () => {
    scheduled = false;
    while (calls < CONCURRENT_CALLS && queue.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < queue.length && n < DELIVER_MANY_MAX) {
        bytes += sizeOf(queue[n] as TDeliverRequest);
        if (n > 0 && bytes > BATCH_BYTES) break;
        n++;
      }
      const batch = n === queue.length ? queue : queue.slice(0, n);
      queue = n === queue.length ? [] : queue.slice(n);
      calls++;
      void call(batch).finally(() => {
        calls--;
        pending -= batch.length;
        if (queue.length > 0) pump();
        else if (pending === 0) for (const done of [...idle]) done();
      });
    }
  };

  return {
    deliver: (...deliveries) => {
      if (pending + deliveries.length > opts.maxInFlight) {
        opts.log.warn(
          { types: deliveries.map((d) => d.event.type) },
          'realtime backlog full; events left for resume',
        );
        return;
      }
      queue.push(...deliveries);
      pending += deliveries.length;
      if (!scheduled && calls < CONCURRENT_CALLS) {
        scheduled = true;
        setImmediate(pump);
      }
    },
    drain: () =>
      pending === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              idle.delete(done);
              resolve();
            };
            idle.add(done);
          }),
  };
};
