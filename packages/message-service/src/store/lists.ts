/**
 * The relationship lists, keyset-paginated: each page is one index range
 * starting after the position of the previous page's last item, so page N
 * costs the same as page 1 and rows added meanwhile never shift a page.
 */
import { AppError, type Queryable } from '@lockbox/service-kit';
import { CHAT_REQUEST_COLUMNS, type ChatRequestRow } from './rows';

const S = 'lockbox_messages';

/**
 * A page starts after a position (timestamp, id). The timestamp travels as
 * text: a JS Date would cut microseconds and skip rows that share the millisecond.
 */
interface Position {
  at: string;
  id: string;
}
/** Start of a descending page with no `after`: later than any row. */
const NEWEST: Position = { at: 'infinity', id: '' };
/** Start of an ascending page with no `after`: earlier than any row. */
const OLDEST: Position = { at: '-infinity', id: '' };

/**
 * Pending requests to $1 (newest first), without those from users blocked either way. Two
 * NOT EXISTS, not one with OR: each is a primary-key probe, the OR form scanned all blocks.
 */
export const INCOMING_SQL = `
  SELECT ${CHAT_REQUEST_COLUMNS} FROM ${S}.chat_requests r
   WHERE r.to_user_id = $1 AND r.status = 'pending' AND (r.created_at, r.id) < ($2::timestamptz, $3::text)
     AND NOT EXISTS (SELECT 1 FROM ${S}.blocks b WHERE b.blocker_id = $1 AND b.blocked_id = r.from_user_id)
     AND NOT EXISTS (SELECT 1 FROM ${S}.blocks b WHERE b.blocker_id = r.from_user_id AND b.blocked_id = $1)
   ORDER BY r.created_at DESC, r.id DESC
   LIMIT $4`;

/** Pending requests from $1, newest first. */
export const OUTGOING_SQL = `
  SELECT ${CHAT_REQUEST_COLUMNS} FROM ${S}.chat_requests r
   WHERE r.from_user_id = $1 AND r.status = 'pending' AND (r.created_at, r.id) < ($2::timestamptz, $3::text)
   ORDER BY r.created_at DESC, r.id DESC
   LIMIT $4`;

export const CONTACTS_SQL = `
  SELECT c.contact_id, c.since, c.conversation_id,
         EXISTS (SELECT 1 FROM ${S}.blocks b WHERE b.blocker_id = $1 AND b.blocked_id = c.contact_id) AS blocked
    FROM ${S}.contacts c
   WHERE c.user_id = $1 AND (c.since, c.contact_id) > ($2::timestamptz, $3::text)
   ORDER BY c.since, c.contact_id
   LIMIT $4`;

export const BLOCKED_SQL = `
  SELECT b.blocked_id, b.created_at FROM ${S}.blocks b
   WHERE b.blocker_id = $1 AND (b.created_at, b.blocked_id) > ($2::timestamptz, $3::text)
   ORDER BY b.created_at, b.blocked_id
   LIMIT $4`;

/** Contacts with no block either way: who may see presence and typing. */
export const OPEN_CONTACT_IDS_SQL = `
  SELECT c.contact_id FROM ${S}.contacts c
   WHERE c.user_id = $1
     AND NOT EXISTS (SELECT 1 FROM ${S}.blocks b WHERE b.blocker_id = $1 AND b.blocked_id = c.contact_id)
     AND NOT EXISTS (SELECT 1 FROM ${S}.blocks b WHERE b.blocker_id = c.contact_id AND b.blocked_id = $1)
   LIMIT 10000`;

const unknownAfter = (): never => {
  throw new AppError('invalid_input', 'after: not an item of this list');
};

export const incomingRequests = async (q: Queryable, me: string, limit: number, after?: string) => {
  let from = NEWEST;
  if (after) {
    const [row] = await q.query<{ at: string }>(
      `SELECT created_at::text AS at FROM ${S}.chat_requests WHERE id = $1 AND to_user_id = $2`,
      [after, me],
    );
    from = row ? { at: row.at, id: after } : unknownAfter();
  }
  return q.query<ChatRequestRow>(INCOMING_SQL, [me, from.at, from.id, limit]);
};

export const outgoingRequests = async (q: Queryable, me: string, limit: number, after?: string) => {
  let from = NEWEST;
  if (after) {
    const [row] = await q.query<{ at: string }>(
      `SELECT created_at::text AS at FROM ${S}.chat_requests WHERE id = $1 AND from_user_id = $2`,
      [after, me],
    );
    from = row ? { at: row.at, id: after } : unknownAfter();
  }
  return q.query<ChatRequestRow>(OUTGOING_SQL, [me, from.at, from.id, limit]);
};

export interface ContactRow {
  contact_id: string;
  since: Date;
  conversation_id: string;
  blocked: boolean;
}

export const contactsPage = async (q: Queryable, me: string, limit: number, after?: string) => {
  let from = OLDEST;
  if (after) {
    const [row] = await q.query<{ at: string }>(
      `SELECT since::text AS at FROM ${S}.contacts WHERE user_id = $1 AND contact_id = $2`,
      [me, after],
    );
    from = row ? { at: row.at, id: after } : unknownAfter();
  }
  return q.query<ContactRow>(CONTACTS_SQL, [me, from.at, from.id, limit]);
};

export const blockedPage = async (q: Queryable, me: string, limit: number, after?: string) => {
  let from = OLDEST;
  if (after) {
    const [row] = await q.query<{ at: string }>(
      `SELECT created_at::text AS at FROM ${S}.blocks WHERE blocker_id = $1 AND blocked_id = $2`,
      [me, after],
    );
    from = row ? { at: row.at, id: after } : unknownAfter();
  }
  return q.query<{ blocked_id: string; created_at: Date }>(BLOCKED_SQL, [me, from.at, from.id, limit]);
};

export const openContactIds = async (q: Queryable, me: string): Promise<string[]> =>
  (await q.query<{ contact_id: string }>(OPEN_CONTACT_IDS_SQL, [me])).map((r) => r.contact_id);
