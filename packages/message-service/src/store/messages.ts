/**
 * The ciphertext store.
 *
 * Cursor allocation (why a reader paging with `?after=` never skips a message):
 * a send increments the stream counters of both participants with
 * `UPDATE … SET last_cursor = last_cursor + 1` on their `user_cursors` rows,
 * locked in user-id order (no deadlock between two sends that share a user),
 * and those row locks are held until the transaction commits. A second send
 * that involves the same viewer waits on the lock and only then reads the
 * counter, so it gets a larger cursor *and* commits after the first one. Hence
 * each viewer's cursors become visible in increasing order: when a reader's
 * snapshot contains cursor n, every smaller cursor of that viewer is already
 * committed (or rolled back and gone for good). Holes from rollbacks are
 * possible; skips are not. The conversation counter (`seq`) is taken under the
 * same locks, so `seq` order and each viewer's cursor order agree.
 *
 * Idempotency: `(sender_id, client_msg_id)` is unique. The insert says
 * `ON CONFLICT DO NOTHING`; when it inserts nothing, the transaction rolls back
 * (returning the counters it took) and the original message's answer is read
 * and returned. Two concurrent duplicates are two senders of the same user, so
 * they also queue on the sender's counter row; the unique index decides either way.
 */
import { cursorToWire, newId, type TSendMessageRequest, type TSendMessageResponse } from '@lockbox/contracts';
import { AppError, type Database, type Queryable } from '@lockbox/service-kit';
import { relationOf } from './relationships';
import { iso, MESSAGE_COLUMNS, type MessageRow, toMessage } from './rows';

const S = 'lockbox_messages';

/** Increments both participants' counters, locking their rows in user-id order (see above). */
export const TAKE_CURSORS_SQL = `
  WITH locked AS MATERIALIZED (
    SELECT user_id FROM ${S}.user_cursors WHERE user_id = ANY($1::text[]) ORDER BY user_id FOR UPDATE
  )
  UPDATE ${S}.user_cursors AS c SET last_cursor = c.last_cursor + 1
    FROM locked WHERE c.user_id = locked.user_id
  RETURNING c.user_id, c.last_cursor`;

/** Numbers the message in its conversation and stores it, unless this client_msg_id was seen. */
export const INSERT_MESSAGE_SQL = `
  WITH conv AS (
    UPDATE ${S}.conversations SET last_seq = last_seq + 1 WHERE id = $2 RETURNING last_seq
  )
  INSERT INTO ${S}.messages (id, conversation_id, seq, sender_id, recipient_id, sender_cursor, recipient_cursor,
                             client_msg_id, encrypted_blob, signature, sender_public_key)
  SELECT $1::text, $2::text, conv.last_seq, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, $8::text, $9::text,
         $10::text
    FROM conv
  ON CONFLICT (sender_id, client_msg_id) DO NOTHING
  RETURNING seq, created_at`;

export const ORIGINAL_ANSWER_SQL = `
  SELECT id, conversation_id, seq, sender_cursor, created_at FROM ${S}.messages
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

const DUPLICATE = Symbol('duplicate client_msg_id');

class Refused {
  constructor(readonly error: AppError) {}
}

const originalAnswer = async (
  q: Queryable,
  senderId: string,
  clientMsgId: string,
): Promise<TSendMessageResponse | undefined> => {
  const [row] = await q.query<{
    id: string;
    conversation_id: string;
    seq: number | string;
    sender_cursor: number | string;
    created_at: Date;
  }>(ORIGINAL_ANSWER_SQL, [senderId, clientMsgId]);
  return row
    ? {
        message_id: row.id,
        conversation_id: row.conversation_id,
        seq: Number(row.seq),
        cursor: cursorToWire(Number(row.sender_cursor)),
        created_at: iso(row.created_at),
      }
    : undefined;
};

export const storeMessage = async (
  db: Database,
  senderId: string,
  input: TSendMessageRequest,
): Promise<StoredMessage> => {
  try {
    return await db.transaction(async (tx) => {
      const relation = await relationOf(tx, senderId, input.recipient_id);
      const conversationId = relation.conversationId;
      if (!conversationId) throw new Refused(new AppError('forbidden', 'you can only message your contacts'));
      if (relation.iBlocked)
        throw new Refused(new AppError('forbidden', 'you blocked this contact; unblock them to send'));
      if (relation.theyBlocked) throw new Refused(new AppError('forbidden', 'you cannot message this user'));

      const counters = await tx.query<{ user_id: string; last_cursor: number | string }>(TAKE_CURSORS_SQL, [
        [senderId, input.recipient_id],
      ]);
      const cursorOf = (user: string) => {
        const row = counters.find((c) => c.user_id === user);
        if (!row) throw new Error(`no stream counter for ${user}`);
        return Number(row.last_cursor);
      };
      const senderCursor = cursorOf(senderId);
      const recipientCursor = cursorOf(input.recipient_id);

      const id = newId('message');
      const [row] = await tx.query<{ seq: number | string; created_at: Date }>(INSERT_MESSAGE_SQL, [
        id,
        conversationId,
        senderId,
        input.recipient_id,
        senderCursor,
        recipientCursor,
        input.client_msg_id,
        input.encrypted_blob,
        input.signature,
        input.sender_public_key ?? null,
      ]);
      if (!row) throw DUPLICATE; // rolls back the counters this attempt took

      const stored: MessageRow = {
        id,
        conversation_id: conversationId,
        seq: row.seq,
        cursor: recipientCursor,
        sender_id: senderId,
        recipient_id: input.recipient_id,
        client_msg_id: input.client_msg_id,
        encrypted_blob: input.encrypted_blob,
        signature: input.signature,
        sender_public_key: input.sender_public_key ?? null,
        created_at: row.created_at,
      };
      return {
        answer: {
          message_id: id,
          conversation_id: conversationId,
          seq: Number(row.seq),
          cursor: cursorToWire(senderCursor),
          created_at: iso(row.created_at),
        },
        fresh: { forRecipient: toMessage(stored), forSender: toMessage({ ...stored, cursor: senderCursor }) },
      };
    });
  } catch (err) {
    if (err !== DUPLICATE && !(err instanceof Refused)) throw err;
    // A retry gets the original answer, even if the two are no longer contacts.
    const original = await originalAnswer(db, senderId, input.client_msg_id);
    if (original) return { answer: original };
    if (err instanceof Refused) throw err.error;
    throw new Error('client_msg_id conflicted but no original message was found');
  }
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
