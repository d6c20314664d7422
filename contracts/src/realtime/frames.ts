/**
 * The WebSocket protocol of `/ws` (API.md "Realtime"): JSON text frames
 * `{type, data}`, one typed discriminated union per direction. The server
 * validates every client frame against `ZClientFrameSchema` and answers a bad
 * one with an `error` frame; what it sends is typed by `TServerFrame`.
 */
import { z } from 'zod';
import { ZUserId } from '../ids';

/**
 * A viewer's position in its own message stream, as message-service hands it
 * out (`cursor` of a message, `next_cursor` of a page): opaque to clients,
 * a decimal string on the wire (the same rule as the messages contract's cursor).
 */
export const ZFrameCursor = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,14})$/, 'must be a cursor returned by the server');

// --- server → client ---------------------------------------------------------

/** A message exactly as message-service returns it (`GET /messages`), with the recipient's cursor. */
export const ZMessageFrameData = z.looseObject({
  id: z.string(),
  cursor: ZFrameCursor,
  sender_id: ZUserId,
  recipient_id: ZUserId,
});

export const ZNewMessageFrame = z.object({ type: z.literal('new_message'), data: ZMessageFrameData });
/**
 * A chat request to the recipient, as message-service returns it. Its note
 * travels opaque in `sealed_message` (the client opens and verifies it); a
 * legacy plaintext `message` may come along from curl senders.
 */
export const ZChatRequestFrame = z.object({
  type: z.literal('chat_request'),
  data: z.looseObject({
    id: z.string(),
    from_user_id: ZUserId,
    to_user_id: ZUserId,
    sealed_message: z.object({ encrypted_blob: z.string(), signature: z.string() }).nullable().optional(),
  }),
});
/** The request's sender learns it was accepted (both are contacts from now on). */
export const ZChatRequestAcceptedFrame = z.object({
  type: z.literal('chat_request_accepted'),
  data: z.looseObject({ id: z.string(), from_user_id: ZUserId, to_user_id: ZUserId }),
});
/** A read receipt: `reader_id` has read the conversation up to `up_to`. */
export const ZReceiptFrame = z.object({
  type: z.literal('receipt'),
  data: z.looseObject({ reader_id: ZUserId }),
});
export const ZTypingFrame = z.object({
  type: z.literal('typing'),
  data: z.object({ from: ZUserId, typing: z.boolean() }),
});
export const ZPresenceFrame = z.object({
  type: z.literal('presence'),
  data: z.object({ user_id: ZUserId, status: z.enum(['online', 'offline']) }),
});
export const ZPongFrame = z.object({
  type: z.literal('pong'),
  data: z.object({ nonce: z.union([z.string().max(64), z.number()]).optional(), server_time: z.number() }),
});
/**
 * The replay a `resume` (or `?after=`) asked for is complete: every message up
 * to `cursor` has been sent, live ones follow. `replayed` counts this replay's messages.
 */
export const ZResumedFrame = z.object({
  type: z.literal('resumed'),
  data: z.object({ cursor: ZFrameCursor.nullable(), replayed: z.number().int().min(0) }),
});

/** An operator notice to everyone connected (e.g. planned maintenance); plain text, never HTML. */
export const ZNoticeFrame = z.object({
  type: z.literal('notice'),
  data: z.strictObject({ message: z.string().min(1).max(1000) }),
});

export const FRAME_ERROR_CODES = [
  /** Not JSON text. */
  'invalid_json',
  /** JSON, but not a frame this server knows, or a known type with a bad `data`. */
  'invalid_frame',
  /** `typing` to someone who is not a contact. */
  'forbidden',
  /** Too many frames from this socket; slow down. */
  'rate_limited',
  /** History cannot be fetched right now; the server keeps trying and delivers everything once it can. */
  'unavailable',
] as const;
export const ZFrameErrorCode = z.enum(FRAME_ERROR_CODES);

export const ZErrorFrame = z.object({
  type: z.literal('error'),
  data: z.object({ code: ZFrameErrorCode, message: z.string() }),
});

export const ZServerFrameSchema = z.discriminatedUnion('type', [
  ZNewMessageFrame,
  ZChatRequestFrame,
  ZChatRequestAcceptedFrame,
  ZReceiptFrame,
  ZTypingFrame,
  ZPresenceFrame,
  ZPongFrame,
  ZResumedFrame,
  ZNoticeFrame,
  ZErrorFrame,
]);
export type TServerFrame = z.infer<typeof ZServerFrameSchema>;
export type TServerFrameType = TServerFrame['type'];

/** Frames another service hands to realtime for delivery (`internal.deliver`). */
export const ZDeliverableFrameSchema = z.discriminatedUnion('type', [
  ZNewMessageFrame,
  ZChatRequestFrame,
  ZChatRequestAcceptedFrame,
  ZReceiptFrame,
]);
export type TDeliverableFrame = z.infer<typeof ZDeliverableFrameSchema>;

// --- client → server ---------------------------------------------------------

export const ZPingFrame = z.strictObject({
  type: z.literal('ping'),
  data: z.strictObject({ nonce: z.union([z.string().max(64), z.number()]).optional() }).optional(),
});
export const ZClientTypingFrame = z.strictObject({
  type: z.literal('typing'),
  data: z.strictObject({ to: ZUserId, typing: z.boolean().default(true) }),
});
/** Replay every message after `after` (null: from the beginning), exactly once and in order, then live ones. */
export const ZResumeFrame = z.strictObject({
  type: z.literal('resume'),
  data: z.strictObject({ after: ZFrameCursor.nullable() }),
});

export const ZClientFrameSchema = z.discriminatedUnion('type', [
  ZPingFrame,
  ZClientTypingFrame,
  ZResumeFrame,
]);
export type TClientFrame = z.infer<typeof ZClientFrameSchema>;
export const CLIENT_FRAME_TYPES = ['ping', 'typing', 'resume'] as const;

// --- close codes -------------------------------------------------------------

/** Why the server closed a socket (RFC 6455 codes, plus 4001 for an ended session). */
export const WS_CLOSE = {
  /** The server is shutting down; reconnect (to another instance) and resume. */
  goingAway: 1001,
  /** Repeated invalid frames or frame floods. */
  policyViolation: 1008,
  /** A frame over the size limit (64 KiB). */
  tooBig: 1009,
  internalError: 1011,
  /** The client did not read fast enough: reconnect and resume from its last cursor. */
  tryAgainLater: 1013,
  /** The session was logged out or revoked: sign in again. */
  sessionEnded: 4001,
} as const;

/** Subprotocol the server speaks; a browser sends the token as a second one, `bearer.<token>`. */
export const WS_SUBPROTOCOL = 'lockbox.v1';
export const WS_TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';
