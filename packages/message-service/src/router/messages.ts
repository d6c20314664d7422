/**
 * Envelopes: send (idempotent per client_msg_id), the caller's stream after a
 * cursor, one conversation backwards in pages, read receipts. The sender is
 * always the token's user; the body has no field that could say otherwise.
 */
import {
  base64DecodedBytes,
  cursorToWire,
  type MessagesContract,
  type TMessagesPage,
} from '@lockbox/contracts';
import { AppError, type HandlersOf, type Queryable } from '@lockbox/service-kit';
import type { MessagesDeps } from '../deps';
import { conversationPage, markRead, messagesAfter, readReceiptsOf, storeMessage } from '../store/messages';
import { toMessage } from '../store/rows';
import { mlsHandlers } from './mls';

const S = 'lockbox_messages';

/** The conversation between the caller and a contact; 404 when they are not (or never were) contacts. */
const conversationWith = async (q: Queryable, me: string, contactId: string): Promise<string> => {
  const [row] = await q.query<{ conversation_id: string }>(
    `SELECT conversation_id FROM ${S}.contacts WHERE user_id = $1 AND contact_id = $2`,
    [me, contactId],
  );
  if (!row) throw new AppError('not_found', 'you have no conversation with that user');
  return row.conversation_id;
};

/** One page of a viewer's stream; shared with the internal procedure realtime's resume uses. */
export const streamPage = async (
  q: Queryable,
  viewer: string,
  after: number | undefined,
  limit: number,
): Promise<TMessagesPage> => {
  const from = after ?? 0;
  const page = await messagesAfter(q, viewer, from, limit);
  const messages = page.rows.map(toMessage);
  const last = messages[messages.length - 1];
  return { messages, next_cursor: last ? last.cursor : cursorToWire(from), has_more: page.hasMore };
};

export const messagesHandlers = (deps: MessagesDeps): HandlersOf<MessagesContract['messages']> => ({
  ...mlsHandlers(deps),

  send: async ({ input, ctx }) => {
    const me = ctx.user.id;
    if (input.recipient_id === me) throw new AppError('invalid_input', 'you cannot message yourself');
    const size = base64DecodedBytes(input.encrypted_blob);
    if (size > deps.env.MESSAGE_BLOB_MAX_BYTES)
      throw new AppError(
        'payload_too_large',
        `encrypted_blob is ${size} bytes; the limit is ${deps.env.MESSAGE_BLOB_MAX_BYTES}`,
      );
    const stored = await storeMessage(deps.db, me, input);
    if (stored.fresh) {
      // One hand-over: the recipient's view, and the sender's own (for their other sessions), each
      // with that viewer's cursor.
      deps.delivery.deliver(
        { recipients: [input.recipient_id], event: { type: 'new_message', data: stored.fresh.forRecipient } },
        { recipients: [me], event: { type: 'new_message', data: stored.fresh.forSender } },
      );
    } else {
      ctx.log.info({ messageId: stored.answer.message_id }, 'send retried: original answer returned');
    }
    return stored.answer;
  },

  list: async ({ input, ctx }) => streamPage(deps.db, ctx.user.id, input.after, input.limit),

  conversation: async ({ input, ctx }) => {
    const me = ctx.user.id;
    const conversationId = await conversationWith(deps.db, me, input.contact_id);
    const [page, receipts] = await Promise.all([
      conversationPage(deps.db, conversationId, me, input.before ?? Number.MAX_SAFE_INTEGER, input.limit),
      readReceiptsOf(deps.db, conversationId),
    ]);
    const oldest = page.rows[0];
    const readBy = (user: string) => Number(receipts.find((r) => r.user_id === user)?.up_to_seq ?? 0);
    return {
      conversation_id: conversationId,
      messages: page.rows.map(toMessage),
      next_cursor: page.hasMore && oldest ? cursorToWire(Number(oldest.seq)) : null,
      read_up_to: { mine: readBy(me), theirs: readBy(input.contact_id) },
    };
  },

  read: async ({ input, ctx }) => {
    const me = ctx.user.id;
    const conversationId = await conversationWith(deps.db, me, input.contact_id);
    const { upTo, readAt } = await markRead(deps.db, conversationId, me, input.up_to);
    const receipt = { conversation_id: conversationId, reader_id: me, up_to: upTo, read_at: readAt };
    deps.delivery.deliver({ recipients: [input.contact_id], event: { type: 'receipt', data: receipt } });
    return receipt;
  },
});
