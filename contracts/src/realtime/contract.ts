/**
 * The realtime service's internal procedures that other services call (never
 * routed by the gateway). The message service hands over an event only after
 * it is durably committed; a failed hand-over loses nothing, because the
 * recipient replays from its cursor on resume.
 */
import { z } from 'zod';
import { mutation, query } from '../contract';
import { ZUserId } from '../ids';
import { defineServiceContract } from '../service-contract';
import { ZDeliverableFrameSchema, ZNoticeFrame } from './frames';

export const ZDeliverRequestSchema = z.strictObject({
  /** Every live socket of these users gets the event. */
  recipients: z.array(ZUserId).min(1).max(100),
  /** Sent to each socket as is: a `{type, data}` server frame. */
  event: ZDeliverableFrameSchema,
});
export type TDeliverRequest = z.infer<typeof ZDeliverRequestSchema>;

export const ZDeliverResponseSchema = z.object({
  /** Sockets the event was written to on this instance (with Redis fan-out, others may deliver too). */
  delivered: z.number().int().min(0),
});

/**
 * Several deliveries in one call: a sender's copy and the recipient's copy of a
 * message, or whatever a caller collected over a millisecond. One HTTP request
 * and one fan-out publish for all of them; each keeps its own order.
 */
export const ZDeliverManyRequestSchema = z.strictObject({
  deliveries: z.array(ZDeliverRequestSchema).min(1).max(500),
});
export type TDeliverManyRequest = z.infer<typeof ZDeliverManyRequestSchema>;

/** One instance's sockets (the original's `/connections`; ask each instance for the whole picture). */
export const ZConnectionsResponseSchema = z.object({
  instance: z.string(),
  sockets: z.number().int().min(0),
  users: z.number().int().min(0),
  /** `redis` when deliveries fan out to other instances, `local` for a single instance. */
  fan_out: z.enum(['local', 'redis']),
  /** False while Redis is unreachable: other instances' sockets catch up when it is back. */
  fan_out_connected: z.boolean(),
});
export type TConnectionsResponse = z.infer<typeof ZConnectionsResponseSchema>;

/** An operator notice to every open socket on every instance (the original's `/broadcast`). */
export const ZBroadcastRequestSchema = z.strictObject({ event: ZNoticeFrame });
export const ZBroadcastResponseSchema = ZDeliverResponseSchema;

export const realtimeInternalContract = {
  internal: {
    deliver: mutation({
      access: 'internal',
      summary: 'Push an event to the live sockets of some users',
      input: ZDeliverRequestSchema,
      output: ZDeliverResponseSchema,
    }),
    deliverMany: mutation({
      access: 'internal',
      summary: 'Push several events (each to its own recipients) in one call',
      input: ZDeliverManyRequestSchema,
      output: ZDeliverResponseSchema,
    }),
    connections: query({
      access: 'internal',
      summary: "This instance's open sockets and users",
      input: z.strictObject({}).optional(),
      output: ZConnectionsResponseSchema,
    }),
    broadcast: mutation({
      access: 'internal',
      summary: 'Send a notice to every open socket, on every instance',
      input: ZBroadcastRequestSchema,
      output: ZBroadcastResponseSchema,
    }),
  },
};

export type RealtimeInternalContract = typeof realtimeInternalContract;

/**
 * The gateway sends `/ws` (the WebSocket upgrade, not a contract route) to the
 * realtime service; its procedures are all internal, so no tRPC namespace is public.
 */
export const realtimeServiceContract = defineServiceContract('realtime', {
  publicPrefixes: ['/ws'],
  tree: realtimeInternalContract,
});
