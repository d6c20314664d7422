/**
 * The ciphertext store.
 *
 * A send is one call of the `send_message` database function
 * (migrations/003_send_message.sql), one round trip and one transaction:
 * relation check, both participants' stream counters taken under row locks in
 * user-id order and held until commit (so each viewer's cursors become visible
 * in increasing order and a reader paging with `?after=` never skips one), the
 * conversation's `seq`, and the insert guarded by the unique
 * `(sender_id, client_msg_id)`. A retry gets the original answer; a racing
 * duplicate makes the function raise unique_violation, which rolls the
 * attempt back, and the original is read instead.
 */
import { cursorToWire, newId, type TSendMessageRequest, type TSendMessageResponse } from '@lockbox/contracts';
import { AppError, type Database, type Queryable } from '@lockbox/service-kit';
import { iso, MESSAGE_COLUMNS, type MessageRow, toMessage } from './rows';

const S = 'lockbox_messages';

export const SEND_MESSAGE_SQL = `SELECT * FROM ${S}.send_message($1, $2, $3, $4, $5, $6, $7)`;

interface SendRow {
  outcome: 'stored' | 'duplicate' | 'not_contact' | 'blocked_by_sender' | 'blocked_by_recipient';
  message_id: string | null;
  conv_id: string | null;
  msg_seq: number | string | null;
  cursor_of_sender: number | string | null;
  cursor_of_recipient: number | string | null;
  stored_at: Date | null;
}

/** The same lookup the function starts with; used when a racing duplicate rolled an attempt back. */
export const ORIGINAL_ANSWER_SQL = `
  SELECT 'duplicate' AS outcome, id AS message_id, conversation_id AS conv_id, seq AS msg_seq,
         sender_cursor AS cursor_of_sender, recipient_cursor AS cursor_of_recipient, created_at AS stored_at
    FROM ${S}.messages
   WHERE sender_id = $1 AND client_msg_id = $2`;

/**
 * $1 viewer, $2 after (exclusive), $3 row limit. Two index range scans (as
 * sender, as recipient) merged by the viewer's cursor.
 */
export const MESSAGES_AFTER_SQL = `
  SELECT * FROM (
    (SELECT ${MESSAGE_COLUMNS}, sender_cursor AS cursor FROM ${S}.messages
      WHERE sender_id = $1 AND sender_cursor > $2 ORDER BY sender_cursor LIMIT $3)
    UNION ALL
    (SELECT ${MESSAGE_COLUMNS}, recipient_cursor AS cursor FROM ${S}.messages
      WHERE recipient_id = $1 AND recipient_cursor > $2 ORDER BY recipient_cursor LIMIT $3)
  ) page
  ORDER BY cursor
  LIMIT $3`;

/** $1 conversation, $2 viewer, $3 before (exclusive seq), $4 row limit: newest first. */
export const CONVERSATION_PAGE_SQL = `
  SELECT ${MESSAGE_COLUMNS},
         CASE WHEN sender_id = $2 THEN sender_cursor ELSE recipient_cursor END AS cursor
    FROM ${S}.messages
   WHERE conversation_id = $1 AND seq < $3
   ORDER BY seq DESC
   LIMIT $4`;

export interface StoredMessage {
  answer: TSendMessageResponse;
  /** Set only when this call stored the message (not for a retry): what to deliver live. */
  fresh?: { forRecipient: ReturnType<typeof toMessage>; forSender: ReturnType<typeof toMessage> };
}

export const REFUSALS: Record<string, string> = {
  not_contact: 'you can only message your contacts',
  blocked_by_sender: 'you blocked this contact; unblock them to send',
  blocked_by_recipient: 'you cannot message this user',
};

export const isUniqueViolation = (err: unknown) => (err as { code?: unknown }).code === '23505';

const answerOf = (row: SendRow): TSendMessageResponse => ({
  message_id: row.message_id as string,
  conversation_id: row.conv_id as string,
  seq: Number(row.msg_seq),
  cursor: cursorToWire(Number(row.cursor_of_sender)),
  created_at: iso(row.stored_at as Date),
});

export const storeMessage = async (
  db: Database,
  senderId: string,
  input: TSendMessageRequest,
): Promise<StoredMessage> => {
  let row: SendRow | undefined;
  try {
    [row] = await db.query<SendRow>(SEND_MESSAGE_SQL, [
      newId('message'),
      senderId,
      input.recipient_id,
      input.client_msg_id,
      input.encrypted_blob,
      input.signature,
      input.sender_public_key ?? null,
    ]);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    [row] = await db.query<SendRow>(ORIGINAL_ANSWER_SQL, [senderId, input.client_msg_id]);
    if (!row) throw err;
  }
  if (!row) throw new Error('send_message returned no row');
  const refusal = REFUSALS[row.outcome];
  if (refusal) throw new AppError('forbidden', refusal);
  if (row.outcome === 'duplicate') return { answer: answerOf(row) };

  const stored: MessageRow = {
    id: row.message_id as string,
    conversation_id: row.conv_id as string,
    seq: row.msg_seq as number,
    cursor: row.cursor_of_recipient as number,
    sender_id: senderId,
    recipient_id: input.recipient_id,
    client_msg_id: input.client_msg_id,
    encrypted_blob: input.encrypted_blob,
    signature: input.signature,
    sender_public_key: input.sender_public_key ?? null,
    created_at: row.stored_at as Date,
    mls_kind: null,
    mls_epoch: null,
  };
  return {
    answer: answerOf(row),
    fresh: {
      forRecipient: toMessage(stored),
      forSender: toMessage({ ...stored, cursor: row.cursor_of_sender as number }),
    },
  };
};

export interface Page {
  rows: MessageRow[];
  hasMore: boolean;
}

/** The viewer's messages after a cursor, oldest first. */
export const messagesAfter = async (
  q: Queryable,
  viewer: string,
  after: number,
  limit: number,
): Promise<Page> => {
  const rows = await q.query<MessageRow>(MESSAGES_AFTER_SQL, [viewer, after, limit + 1]);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
};

/** The viewer's latest cursor, '0' before their first message (committed rows only: the counter moves in the send's transaction). */
export const headCursor = async (q: Queryable, viewer: string): Promise<string> => {
  const [row] = await q.query<{ last_cursor: number | string }>(
    `SELECT last_cursor FROM ${S}.user_cursors WHERE user_id = $1`,
    [viewer],
  );
  return row ? String(row.last_cursor) : '0';
};

/** One page of a conversation before a seq, returned oldest first. */
export const conversationPage = async (
  q: Queryable,
  conversationId: string,
  viewer: string,
  before: number,
  limit: number,
): Promise<Page> => {
  const rows = await q.query<MessageRow>(CONVERSATION_PAGE_SQL, [conversationId, viewer, before, limit + 1]);
  return { rows: rows.slice(0, limit).reverse(), hasMore: rows.length > limit };
};

export const readReceiptsOf = async (q: Queryable, conversationId: string) =>
  q.query<{ user_id: string; up_to_seq: number | string }>(
    `SELECT user_id, up_to_seq FROM ${S}.read_receipts WHERE conversation_id = $1`,
    [conversationId],
  );

/** Records that `reader` read up to `upTo`; never moves back. Throws 400 past the last message. */
export const markRead = async (q: Queryable, conversationId: string, reader: string, upTo: number) => {
  const [row] = await q.query<{ up_to_seq: number | string; read_at: Date }>(
    `INSERT INTO ${S}.read_receipts AS r (conversation_id, user_id, up_to_seq)
     SELECT $1::text, $2::text, $3::bigint FROM ${S}.conversations WHERE id = $1 AND last_seq >= $3::bigint
     ON CONFLICT (conversation_id, user_id) DO UPDATE
       SET up_to_seq = GREATEST(r.up_to_seq, EXCLUDED.up_to_seq),
           read_at = CASE WHEN EXCLUDED.up_to_seq > r.up_to_seq THEN now() ELSE r.read_at END
     RETURNING up_to_seq, read_at`,
    [conversationId, reader, upTo],
  );
  if (!row) throw new AppError('invalid_input', 'up_to: past the last message of this conversation');
  return { upTo: Number(row.up_to_seq), readAt: iso(row.read_at) };
};
