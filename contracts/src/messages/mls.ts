/**
 * The message service as MLS Delivery Service (docs/SECURITY.md 10.14): MLS
 * messages ride the same per-user stream as v1 envelopes. The server orders
 * commits per conversation (the first commit for an epoch wins) and stores
 * everything else opaquely; it reads only each message's cleartext header,
 * which must agree with `kind` and `epoch` and name the conversation (400).
 */
import { z } from 'zod';
import { ZUserId } from '../ids';
import {
  ENCRYPTED_BLOB_HARD_MAX_BYTES,
  ZClientMsgId,
  ZConversationId,
  ZMessageId,
  ZMlsEpoch,
  ZMlsItemInfo,
  ZSendMessageResponseSchema,
  zOpaqueBase64,
} from './schemas';

const base64Chars = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** Largest decoded Welcome (a Welcome grows with the devices a commit adds). */
export const MLS_WELCOME_MAX_BYTES = 1024 * 1024;

/** The kinds a client sends; a Welcome travels only alongside its commit. */
export const ZMlsSendKind = z.enum(['application', 'commit']);

export const ZSendMlsRequestSchema = z
  .strictObject({
    recipient_id: ZUserId,
    client_msg_id: ZClientMsgId,
    kind: ZMlsSendKind,
    /** commit: the epoch the commit was made in (must be the conversation's current one); application: its epoch. */
    epoch: ZMlsEpoch,
    /** The MLS message (MLSMessage bytes), base64; the service's MESSAGE_BLOB_MAX_BYTES applies (413). */
    message: zOpaqueBase64(base64Chars(ENCRYPTED_BLOB_HARD_MAX_BYTES)),
    /** The Welcome for the devices the commit adds; stored as the stream item right after the commit. */
    welcome: zOpaqueBase64(base64Chars(MLS_WELCOME_MAX_BYTES)).optional(),
  })
  .refine((v) => v.welcome === undefined || v.kind === 'commit', {
    message: 'welcome goes only with kind=commit',
    path: ['welcome'],
  });
export type TSendMlsRequest = z.infer<typeof ZSendMlsRequestSchema>;

/**
 * messages.send's answer (the sender's own cursor), plus the stored item's
 * `mls` and, for a commit that carried one, where its Welcome was stored. A
 * retry with the same client_msg_id gets this exact answer again.
 */
export const ZSendMlsResponseSchema = ZSendMessageResponseSchema.extend({
  mls: ZMlsItemInfo,
  welcome: z
    .object({
      message_id: ZMessageId,
      seq: ZSendMessageResponseSchema.shape.seq,
      cursor: z.string(),
      epoch: ZMlsEpoch,
    })
    .optional(),
});
export type TSendMlsResponse = z.infer<typeof ZSendMlsResponseSchema>;

export const ZMlsEpochRequestSchema = z.strictObject({ contact_id: ZUserId });
export const ZMlsEpochResponseSchema = z.object({
  conversation_id: ZConversationId,
  /** The epoch the next commit must be made in (commits accepted so far). */
  epoch: ZMlsEpoch,
});
export type TMlsEpochResponse = z.infer<typeof ZMlsEpochResponseSchema>;
