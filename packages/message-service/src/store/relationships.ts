/**
 * Relationship state between two users: contact (with its conversation),
 * blocks either way, the pending request. Every change to one pair (request,
 * accept, decline, cancel, block) runs under that pair's advisory lock, so the
 * checks and the write that follows them cannot interleave with another change
 * to the same pair; unique indexes back that up.
 */
import { newId, type TSealedNote } from '@lockbox/contracts';
import type { Queryable } from '@lockbox/service-kit';
import { CHAT_REQUEST_COLUMNS, type ChatRequestRow } from './rows';

const S = 'lockbox_messages';

export const orderedPair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

/** Serializes changes to one pair of users until the transaction ends. */
export const lockPair = async (tx: Queryable, a: string, b: string): Promise<void> => {
  const [lo, hi] = orderedPair(a, b);
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `lockbox_messages:pair:${lo}:${hi}`,
  ]);
};

export interface Relation {
  /** Set when the two are contacts. */
  conversationId: string | null;
  /** `me` blocked `other`. */
  iBlocked: boolean;
  /** `other` blocked `me`. */
  theyBlocked: boolean;
}

/** One round trip: three primary-key probes. */
export const RELATION_SQL = `
  SELECT (SELECT conversation_id FROM ${S}.contacts WHERE user_id = $1 AND contact_id = $2) AS conversation_id,
         EXISTS (SELECT 1 FROM ${S}.blocks WHERE blocker_id = $1 AND blocked_id = $2) AS i_blocked,
         EXISTS (SELECT 1 FROM ${S}.blocks WHERE blocker_id = $2 AND blocked_id = $1) AS they_blocked`;

export const relationOf = async (q: Queryable, me: string, other: string): Promise<Relation> => {
  const [row] = await q.query<{ conversation_id: string | null; i_blocked: boolean; they_blocked: boolean }>(
    RELATION_SQL,
    [me, other],
  );
  return {
    conversationId: row?.conversation_id ?? null,
    iBlocked: row?.i_blocked ?? false,
    theyBlocked: row?.they_blocked ?? false,
  };
};

/** The pending request between two users, whichever way it goes (served by the unique pair index). */
export const pendingBetween = async (
  q: Queryable,
  a: string,
  b: string,
): Promise<ChatRequestRow | undefined> => {
  const [lo, hi] = orderedPair(a, b);
  const [row] = await q.query<ChatRequestRow>(
    `SELECT ${CHAT_REQUEST_COLUMNS} FROM ${S}.chat_requests
      WHERE LEAST(from_user_id, to_user_id) = $1 AND GREATEST(from_user_id, to_user_id) = $2
        AND status = 'pending'
      FOR UPDATE`,
    [lo, hi],
  );
  return row;
};

export const findRequest = async (
  q: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ChatRequestRow | undefined> => {
  const [row] = await q.query<ChatRequestRow>(
    `SELECT ${CHAT_REQUEST_COLUMNS} FROM ${S}.chat_requests WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return row;
};

export const insertRequest = async (
  q: Queryable,
  from: string,
  to: string,
  note: { message: string | null; sealed: TSealedNote | null },
): Promise<ChatRequestRow> => {
  const [row] = await q.query<ChatRequestRow>(
    `INSERT INTO ${S}.chat_requests (id, from_user_id, to_user_id, message, sealed_note_blob, sealed_note_signature)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${CHAT_REQUEST_COLUMNS}`,
    [
      newId('request'),
      from,
      to,
      note.message,
      note.sealed?.encrypted_blob ?? null,
      note.sealed?.signature ?? null,
    ],
  );
  return row as ChatRequestRow;
};

/** Moves a pending request to its final state. */
export const settleRequest = async (
  q: Queryable,
  id: string,
  status: 'accepted' | 'declined' | 'cancelled',
): Promise<ChatRequestRow> => {
  const [row] = await q.query<ChatRequestRow>(
    `UPDATE ${S}.chat_requests SET status = $2, responded_at = now()
      WHERE id = $1 AND status = 'pending'
      RETURNING ${CHAT_REQUEST_COLUMNS}`,
    [id, status],
  );
  if (!row) throw new Error(`request ${id} was not pending under the pair lock`);
  return row;
};

/**
 * Makes two users contacts: their conversation, a contact row for each side,
 * and the stream counters their messages will draw cursors from.
 */
export const connect = async (q: Queryable, a: string, b: string): Promise<string> => {
  const [lo, hi] = orderedPair(a, b);
  const [conv] = await q.query<{ id: string }>(
    `INSERT INTO ${S}.conversations (id, user_a, user_b) VALUES ($1, $2, $3)
     ON CONFLICT (user_a, user_b) DO UPDATE SET user_a = EXCLUDED.user_a
     RETURNING id`,
    [newId('conversation'), lo, hi],
  );
  const conversationId = (conv as { id: string }).id;
  await q.query(
    `INSERT INTO ${S}.contacts (user_id, contact_id, conversation_id) VALUES ($1, $2, $3), ($2, $1, $3)
     ON CONFLICT (user_id, contact_id) DO NOTHING`,
    [lo, hi, conversationId],
  );
  await q.query(
    `INSERT INTO ${S}.user_cursors (user_id) VALUES ($1), ($2) ON CONFLICT (user_id) DO NOTHING`,
    [lo, hi],
  );
  return conversationId;
};

/** Accepts a pending request (the caller holds the pair lock): settles it and connects the two. */
export const acceptRequest = async (q: Queryable, request: ChatRequestRow): Promise<ChatRequestRow> => {
  const accepted = await settleRequest(q, request.id, 'accepted');
  await connect(q, request.from_user_id, request.to_user_id);
  return accepted;
};

export const setBlock = async (
  q: Queryable,
  blocker: string,
  blocked: string,
  on: boolean,
): Promise<void> => {
  if (on)
    await q.query(
      `INSERT INTO ${S}.blocks (blocker_id, blocked_id) VALUES ($1, $2)
       ON CONFLICT (blocker_id, blocked_id) DO NOTHING`,
      [blocker, blocked],
    );
  else await q.query(`DELETE FROM ${S}.blocks WHERE blocker_id = $1 AND blocked_id = $2`, [blocker, blocked]);
};
