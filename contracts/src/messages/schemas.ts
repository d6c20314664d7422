/**
 * Wire shapes of the message service (API.md "Relationships and messages"),
 * snake_case as the original LockBox clients expect. The server stores
 * envelopes it cannot read: it checks only that they are bounded base64.
 */
import { z } from 'zod';
import { ZUser } from '../auth/schemas';
import { zLimit } from '../fields';
import { ZUserId, zId } from '../ids';

export const ZChatRequestId = zId('request');
export const ZMessageId = zId('message');
export const ZConversationId = zId('conversation');

// ---- fields -------------------------------------------------------------------

/**
 * A cursor on the wire: an opaque string. Today it is a position as a decimal
 * string (no sign, no leading zeros, at most 15 digits so it stays an exact
 * JS number); clients must not do arithmetic on it.
 */
export const CURSOR_PATTERN = /^(?:0|[1-9][0-9]{0,14})$/;
export const ZCursor = z
  .string()
  .regex(CURSOR_PATTERN, 'must be a cursor returned by the server')
  .transform((s) => Number(s));
export const cursorToWire = (position: number): string => String(position);

/**
 * Standard padded base64. A character-class loop plus a length check: the
 * shared group-repeating pattern overflows V8's regexp stack on multi-megabyte
 * strings, and blobs are the largest field LockBox reads.
 */
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;
export const isBase64 = (s: string): boolean => s.length % 4 === 0 && BASE64_BODY.test(s);
export const base64DecodedBytes = (s: string): number =>
  (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);

export const zOpaqueBase64 = (maxChars: number) =>
  z
    .string()
    .min(4, 'must not be empty')
    .max(maxChars, `at most ${maxChars} base64 characters`)
    .refine(isBase64, 'must be standard base64 with padding');

/**
 * The hard ceiling any deployment can configure for `encrypted_blob` (8 MiB
 * decoded). The service's own, smaller limit (MESSAGE_BLOB_MAX_BYTES, default
 * 64 KiB) answers 413 above it.
 */
export const ENCRYPTED_BLOB_HARD_MAX_BYTES = 8 * 1024 * 1024;
const base64Chars = (bytes: number) => Math.ceil(bytes / 3) * 4;
export const ZEncryptedBlob = zOpaqueBase64(base64Chars(ENCRYPTED_BLOB_HARD_MAX_BYTES));
/** An Ed25519 signature is 64 bytes; room for a future scheme, but bounded. */
export const ZEnvelopeSignature = zOpaqueBase64(base64Chars(4096));
/** Hybrid X25519 + ML-KEM-768 + Ed25519 public keys fit comfortably. */
export const ZSenderPublicKey = zOpaqueBase64(base64Chars(8192));

/** Chosen by the client (a UUID, say); unique per sender, it makes a send idempotent. */
export const ZClientMsgId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'client_msg_id may hold letters, digits, ".", "_", ":" and "-"');

/**
 * The short note of a chat request, in characters. Clients seal it
 * (`sealed_message`); the legacy plaintext `message` of the original curl API
 * is still accepted, and the server can read (and change) that one.
 */
export const CHAT_REQUEST_NOTE_MAX = 280;

/**
 * A chat request's note sealed end to end to the recipient: an envelope v1
 * (payload type `request_note`, client_msg_id `note:<uuid>`) and its
 * signature, opaque to the server, with the same size limits as a message.
 */
export const ZSealedNote = z.strictObject({
  encrypted_blob: ZEncryptedBlob,
  signature: ZEnvelopeSignature,
});
export type TSealedNote = z.infer<typeof ZSealedNote>;

/** Looking a user up by name: the same bounds auth's login uses (a wrong name is just unknown). */
const ZUsernameLookup = z.string().min(1).max(64);

const ZPosition = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

// ---- chat requests ------------------------------------------------------------

export const CHAT_REQUEST_STATUSES = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export const ZChatRequestStatus = z.enum(CHAT_REQUEST_STATUSES);

export const ZChatRequest = z.object({
  id: ZChatRequestId,
  from_user_id: ZUserId,
  to_user_id: ZUserId,
  status: ZChatRequestStatus,
  /** Legacy plaintext note (curl); the server can read and change it. */
  message: z.string().nullable(),
  /** The note sealed to the recipient (what clients send); opaque to the server. */
  sealed_message: z.object({ encrypted_blob: z.string(), signature: z.string() }).nullable(),
  created_at: z.string(),
  /** When it was accepted, declined or cancelled. */
  responded_at: z.string().nullable(),
});
export type TChatRequest = z.infer<typeof ZChatRequest>;

export const ZSendChatRequestSchema = z
  .strictObject({
    to_user_id: ZUserId.optional(),
    to_username: ZUsernameLookup.optional(),
    message: z.string().max(CHAT_REQUEST_NOTE_MAX, `at most ${CHAT_REQUEST_NOTE_MAX} characters`).optional(),
    sealed_message: ZSealedNote.optional(),
  })
  .refine((v) => (v.to_user_id === undefined) !== (v.to_username === undefined), {
    message: 'give exactly one of to_user_id or to_username',
  })
  .refine((v) => v.message === undefined || v.sealed_message === undefined, {
    message: 'give at most one of message (plaintext) or sealed_message',
  });
export type TSendChatRequest = z.infer<typeof ZSendChatRequestSchema>;

/** Keyset pagination of request lists: `after` is the last request id of the previous page. */
export const ZListChatRequestsSchema = z
  .strictObject({ limit: zLimit(50), after: ZChatRequestId.optional() })
  .prefault({});

export const ZIncomingChatRequest = ZChatRequest.extend({ from_user: ZUser });
export const ZOutgoingChatRequest = ZChatRequest.extend({ to_user: ZUser });
export const ZIncomingChatRequestsResponseSchema = z.array(ZIncomingChatRequest);
export const ZOutgoingChatRequestsResponseSchema = z.array(ZOutgoingChatRequest);

export const ZRespondChatRequestSchema = z.strictObject({
  request_id: ZChatRequestId,
  action: z.enum(['accept', 'decline']),
});

export const ZCancelChatRequestSchema = z.strictObject({ id: ZChatRequestId });

// ---- contacts and blocks ------------------------------------------------------

export const ZContact = z.object({
  id: ZUserId,
  username: z.string(),
  /** When the request was accepted. */
  since: z.string(),
  conversation_id: ZConversationId,
  /** True when the caller blocked this contact (messages either way are refused until unblocked). */
  blocked: z.boolean(),
});
export type TContact = z.infer<typeof ZContact>;

/** Keyset pagination: `after` is the last contact id of the previous page. */
export const ZListContactsSchema = z
  .strictObject({ limit: zLimit(50), after: ZUserId.optional() })
  .prefault({});
export const ZContactsResponseSchema = z.array(ZContact);

export const ZBlockRequestSchema = z.strictObject({ user_id: ZUserId });
export const ZBlockStateSchema = z.object({ user_id: ZUserId, blocked: z.boolean() });

export const ZBlockedUser = z.object({ id: ZUserId, username: z.string(), blocked_at: z.string() });
export const ZBlockedUsersResponseSchema = z.array(ZBlockedUser);

// ---- messages -----------------------------------------------------------------

export const ZSendMessageRequestSchema = z.strictObject({
  recipient_id: ZUserId,
  client_msg_id: ZClientMsgId,
  encrypted_blob: ZEncryptedBlob,
  signature: ZEnvelopeSignature,
  sender_public_key: ZSenderPublicKey.optional(),
});
export type TSendMessageRequest = z.infer<typeof ZSendMessageRequestSchema>;

/** Where a stored message sits: its conversation, its seq there, and one viewer's cursor for it. */
const storedPosition = {
  conversation_id: ZConversationId,
  seq: ZPosition,
  cursor: z.string(),
};

/** The answer to a send (`cursor` is the sender's own); a retry with the same client_msg_id gets this exact answer again. */
export const ZSendMessageResponseSchema = z.object({
  message_id: ZMessageId,
  ...storedPosition,
  created_at: z.string(),
});
export type TSendMessageResponse = z.infer<typeof ZSendMessageResponseSchema>;

/** What an MLS stream item is (docs/SECURITY.md 10.14): a Welcome is stored by the server, right after its commit. */
export const MLS_ITEM_KINDS = ['application', 'commit', 'welcome'] as const;
export const ZMlsItemKind = z.enum(MLS_ITEM_KINDS);
/** An MLS epoch as the Delivery Service counts it: 0 before a conversation's first commit. */
export const ZMlsEpoch = ZPosition;
/** Marks a stream item as MLS traffic: its kind and epoch (a Welcome carries the epoch it joins). */
export const ZMlsItemInfo = z.object({ kind: ZMlsItemKind, epoch: ZMlsEpoch });
export type TMlsItemInfo = z.infer<typeof ZMlsItemInfo>;

/**
 * A stored item as one viewer sees it: `cursor` is that viewer's position.
 * The envelope fields are the send request's, with the same checks, so a
 * client refuses a served message the server would never have accepted.
 * An MLS item (`mls` present) carries the MLS message in `encrypted_blob`, an
 * empty `signature` (MLS signs inside) and no `sender_public_key`; a v1
 * envelope has no `mls` and a real signature. Clients tell them apart by `mls`.
 */
export const ZMessage = z
  .object({
    id: ZMessageId,
    ...storedPosition,
    sender_id: ZUserId,
    ...ZSendMessageRequestSchema.shape,
    signature: z.union([ZEnvelopeSignature, z.literal('')]),
    created_at: z.string(),
    mls: ZMlsItemInfo.optional(),
  })
  .refine(
    (m) =>
      m.mls === undefined ? m.signature !== '' : m.signature === '' && m.sender_public_key === undefined,
    { message: 'an MLS item has an empty signature and no sender_public_key; a v1 envelope has a signature' },
  );
export type TMessage = z.infer<typeof ZMessage>;

export const ZMessagesAfterRequestSchema = z
  .strictObject({ after: ZCursor.optional(), limit: zLimit(100, 500) })
  .prefault({});

export const ZMessagesPageSchema = z.object({
  messages: z.array(ZMessage),
  /** Where to continue: the last message's cursor, or the given `after` when the page is empty. */
  next_cursor: z.string(),
  has_more: z.boolean(),
});
export type TMessagesPage = z.infer<typeof ZMessagesPageSchema>;

export const ZConversationRequestSchema = z.strictObject({
  contact_id: ZUserId,
  /** The `next_cursor` of the previous (newer) page; absent for the newest page. */
  before: ZCursor.optional(),
  limit: zLimit(50, 200),
});

export const ZConversationPageSchema = z.object({
  conversation_id: ZConversationId,
  /** One page, oldest first inside the page; pages go from newest to oldest. */
  messages: z.array(ZMessage),
  /** Pass as `before` for the next (older) page; null when there is none. */
  next_cursor: z.string().nullable(),
  /** Read receipts: the highest `seq` each side has marked read (0: none). */
  read_up_to: z.object({ mine: ZPosition, theirs: ZPosition }),
});
export type TConversationPage = z.infer<typeof ZConversationPageSchema>;

export const ZReadReceiptRequestSchema = z.strictObject({
  contact_id: ZUserId,
  /** The highest conversation `seq` read (a number, or its decimal string). */
  up_to: z.union([
    ZPosition.min(1),
    z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/)
      .transform(Number),
  ]),
});

export const ZReadReceiptSchema = z.object({
  conversation_id: ZConversationId,
  reader_id: ZUserId,
  /** Never moves back: an older receipt arriving late changes nothing. */
  up_to: ZPosition,
  read_at: z.string(),
});
export type TReadReceipt = z.infer<typeof ZReadReceiptSchema>;

// ---- internal (for realtime) --------------------------------------------------

export const ZInternalMessagesAfterSchema = z.strictObject({
  user_id: ZUserId,
  after: ZCursor.optional(),
  limit: zLimit(100, 1000),
});

export const ZInternalContactIdsSchema = z.strictObject({ user_id: ZUserId });

export const ZInternalHeadCursorSchema = z.strictObject({ user_id: ZUserId });
export const ZInternalHeadCursorResponseSchema = z.object({
  /** The user's latest cursor ('0' before their first message): where a live-only socket starts. */
  cursor: z.string().regex(CURSOR_PATTERN),
});
export const ZInternalContactIdsResponseSchema = z.object({
  /** Contacts with no block either way: who may see this user's presence and typing. */
  contact_ids: z.array(ZUserId),
});
