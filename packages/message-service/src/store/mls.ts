/**
 * The MLS Delivery Service's store. A send is one call of the `send_mls`
 * database function (migrations/005_mls_delivery.sql), one round trip and one
 * transaction, like a v1 send: relation check, both stream counters under row
 * locks, then, for a commit, the epoch check-and-advance under the
 * conversation's row lock (the first commit for an epoch wins), and the
 * commit's Welcome stored as the next stream item. A retry gets the original
 * answer, also when it raced its own first attempt.
 */
import {
  cursorToWire,
  newId,
  type TMessage,
  type TMlsItemInfo,
  type TSendMlsRequest,
  type TSendMlsResponse,
} from '@lockbox/contracts';
import { AppError, type Database, type Queryable } from '@lockbox/service-kit';
import { wrongGroup } from '../router/mls-header';
import { isUniqueViolation, REFUSALS } from './messages';
import { iso, type MessageRow, toMessage } from './rows';

const S = 'lockbox_messages';

/**
 * $10 is the conversation id the message's header claims (its MLS group id). The function runs only
 * when that is the sender's conversation with the recipient: the sender argument comes from the
 * matching contact row, so no row, no call, nothing stored, and a valid send stays one round trip.
 */
export const SEND_MLS_SQL = `
  SELECT s.* FROM ${S}.contacts c
   CROSS JOIN LATERAL ${S}.send_mls($1, $2, c.user_id, $4, $5, $6, $7, $8, $9) s
   WHERE c.user_id = $3 AND c.contact_id = $4 AND c.conversation_id = $10`;
/** The stored answer of (sender, client_msg_id): used when a racing duplicate rolled an attempt back. */
export const MLS_ORIGINAL_SQL = `SELECT * FROM ${S}.mls_original($1, $2)`;

interface SendMlsRow {
  outcome: 'stored' | 'duplicate' | 'conflict' | 'not_contact' | 'blocked_by_sender' | 'blocked_by_recipient';
  message_id: string | null;
  conv_id: string | null;
  msg_seq: number | string | null;
  cursor_of_sender: number | string | null;
  cursor_of_recipient: number | string | null;
  stored_at: Date | null;
  item_kind: TMlsItemInfo['kind'] | null;
  item_epoch: number | string | null;
  welcome_id: string | null;
  current_epoch: number | string | null;
}

export interface StoredMls {
  answer: TSendMlsResponse;
  /** Set only when this call stored the items: each item, as each of the two viewers sees it, in stream order. */
  fresh?: Array<{ forRecipient: TMessage; forSender: TMessage }>;
}

/** The item after `n` positions: a commit's Welcome is the very next item in both streams and the conversation. */
const plus = (v: number | string | null, n: number) => Number(v) + n;

const answerOf = (row: SendMlsRow): TSendMlsResponse => {
  const epoch = Number(row.item_epoch);
  return {
    message_id: row.message_id as string,
    conversation_id: row.conv_id as string,
    seq: Number(row.msg_seq),
    cursor: cursorToWire(Number(row.cursor_of_sender)),
    created_at: iso(row.stored_at as Date),
    mls: { kind: row.item_kind as TMlsItemInfo['kind'], epoch },
    ...(row.welcome_id !== null
      ? {
          welcome: {
            message_id: row.welcome_id,
            seq: plus(row.msg_seq, 1),
            cursor: cursorToWire(plus(row.cursor_of_sender, 1)),
            epoch: epoch + 1,
          },
        }
      : {}),
  };
};

const itemsOf = (row: SendMlsRow, senderId: string, input: TSendMlsRequest): StoredMls['fresh'] => {
  const first: MessageRow = {
    id: row.message_id as string,
    conversation_id: row.conv_id as string,
    seq: Number(row.msg_seq),
    cursor: Number(row.cursor_of_recipient),
    sender_id: senderId,
    recipient_id: input.recipient_id,
    client_msg_id: input.client_msg_id,
    encrypted_blob: input.message,
    signature: '',
    sender_public_key: null,
    created_at: row.stored_at as Date,
    mls_kind: input.kind,
    mls_epoch: input.epoch,
  };
  const rows = [first];
  if (row.welcome_id !== null && input.welcome !== undefined)
    rows.push({
      ...first,
      id: row.welcome_id,
      seq: plus(row.msg_seq, 1),
      cursor: plus(row.cursor_of_recipient, 1),
      client_msg_id: `welcome:${first.id}`,
      encrypted_blob: input.welcome,
      mls_kind: 'welcome',
      mls_epoch: input.epoch + 1,
    });
  const senderShift = Number(row.cursor_of_sender) - Number(row.cursor_of_recipient);
  return rows.map((r) => ({
    forRecipient: toMessage(r),
    forSender: toMessage({ ...r, cursor: Number(r.cursor) + senderShift }),
  }));
};

export const storeMls = async (
  db: Database,
  senderId: string,
  input: TSendMlsRequest,
  claimedConversation: string,
): Promise<StoredMls> => {
  let row: SendMlsRow | undefined;
  try {
    [row] = await db.query<SendMlsRow>(SEND_MLS_SQL, [
      newId('message'),
      newId('message'),
      senderId,
      input.recipient_id,
      input.client_msg_id,
      input.kind,
      input.epoch,
      input.message,
      input.welcome ?? null,
      claimedConversation,
    ]);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    [row] = await db.query<SendMlsRow>(MLS_ORIGINAL_SQL, [senderId, input.client_msg_id]);
    if (!row) throw err;
  }
  if (!row) {
    // No contact row for the claimed conversation: not a contact at all, or the wrong group id.
    const [contact] = await db.query(MLS_EPOCH_SQL, [senderId, input.recipient_id]);
    if (!contact) throw new AppError('forbidden', REFUSALS.not_contact ?? 'not a contact');
    return wrongGroup();
  }
  const refusal = REFUSALS[row.outcome];
  if (refusal) throw new AppError('forbidden', refusal);
  if (row.outcome === 'conflict')
    throw new AppError(
      'conflict',
      `commit for epoch ${input.epoch} refused: the conversation is at epoch ${Number(row.current_epoch)}; read the stream, apply the commits you miss, and make the commit again`,
    );
  if (row.outcome === 'duplicate') {
    if (row.item_kind === null)
      throw new AppError('conflict', 'client_msg_id already names a v1 envelope of yours; use a new one');
    return { answer: answerOf(row) };
  }
  return { answer: answerOf(row), fresh: itemsOf(row, senderId, input) };
};

/** $1 viewer, $2 contact: two primary-key probes. */
export const MLS_EPOCH_SQL = `
  SELECT c.conversation_id, v.mls_epoch
    FROM ${S}.contacts c JOIN ${S}.conversations v ON v.id = c.conversation_id
   WHERE c.user_id = $1 AND c.contact_id = $2`;

/** The conversation with a contact and its MLS epoch; 404 when they are not (or never were) contacts. */
export const mlsEpochWith = async (q: Queryable, me: string, contactId: string) => {
  const [row] = await q.query<{ conversation_id: string; mls_epoch: number | string }>(MLS_EPOCH_SQL, [
    me,
    contactId,
  ]);
  if (!row) throw new AppError('not_found', 'you have no conversation with that user');
  return { conversation_id: row.conversation_id, epoch: Number(row.mls_epoch) };
};
