/**
 * The realtime service's internal procedures that other services call (never
 * routed by the gateway). The message service hands over an event only after
 * it is durably committed; a failed hand-over loses nothing, because the
 * recipient replays from its cursor on resume.
 */
import { z } from 'zod';
import { mutation } from '../contract';
import { ZUserId } from '../ids';
import { ZDeliverableFrameSchema } from './frames';

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

export const realtimeInternalContract = {
  internal: {
    deliver: mutation({
      access: 'internal',
      summary: 'Push an event to the live sockets of some users',
      input: ZDeliverRequestSchema,
      output: ZDeliverResponseSchema,
    }),
  },
};

export type RealtimeInternalContract = typeof realtimeInternalContract;
