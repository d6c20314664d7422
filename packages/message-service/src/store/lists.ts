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

interface KeysetList {
  /** Where a page with no `after` starts. */
  first: Position;
  /** The position (`at`) of item $2 among the caller's ($1); no row when it isn't theirs. */
  positionSql: string;
  /** The page: caller $1, after position ($2, $3), at most $4 rows. */
  pageSql: string;
}

/**
 * One page of a keyset list. An `after` that is not an item of the caller's
 * list is refused rather than read as "from the start", so a stale or forged
 * cursor can't silently restart the list.
 */
const keysetPage = async <R>(
  q: Queryable,
  list: KeysetList,
  me: string,
  limit: number,
  after?: string,
): Promise<R[]> => {
  let from = list.first;
  if (after) {
    const [row] = await q.query<{ at: string }>(list.positionSql, [me, after]);
    if (!row) throw new AppError('invalid_input', 'after: not an item of this list');
    from = { at: row.at, id: after };
  }
  return q.query<R>(list.pageSql, [me, from.at, from.id, limit]);
};

/** A list whose items are the rows of `table` with `owner` = the caller, keyed by `key`, ordered by (`at`, `key`). */
const keysetList = (
  first: Position,
  pageSql: string,
  table: string,
  at: string,
  owner: string,
  key: string,
): KeysetList => ({
  first,
  positionSql: `SELECT ${at}::text AS at FROM ${S}.${table} WHERE ${owner} = $1 AND ${key} = $2`,
  pageSql,
});

const INCOMING = keysetList(NEWEST, INCOMING_SQL, 'chat_requests', 'created_at', 'to_user_id', 'id');
const OUTGOING = keysetList(NEWEST, OUTGOING_SQL, 'chat_requests', 'created_at', 'from_user_id', 'id');
const CONTACTS = keysetList(OLDEST, CONTACTS_SQL, 'contacts', 'since', 'user_id', 'contact_id');
const BLOCKED = keysetList(OLDEST, BLOCKED_SQL, 'blocks', 'created_at', 'blocker_id', 'blocked_id');

export interface ContactRow {
  contact_id: string;
  since: Date;
  conversation_id: string;
  blocked: boolean;
}

export const incomingRequests = (q: Queryable, me: string, limit: number, after?: string) =>
  keysetPage<ChatRequestRow>(q, INCOMING, me, limit, after);

export const outgoingRequests = (q: Queryable, me: string, limit: number, after?: string) =>
  keysetPage<ChatRequestRow>(q, OUTGOING, me, limit, after);

export const contactsPage = (q: Queryable, me: string, limit: number, after?: string) =>
  keysetPage<ContactRow>(q, CONTACTS, me, limit, after);

export const blockedPage = (q: Queryable, me: string, limit: number, after?: string) =>
  keysetPage<{ blocked_id: string; created_at: Date }>(q, BLOCKED, me, limit, after);

export const openContactIds = async (q: Queryable, me: string): Promise<string[]> =>
  (await q.query<{ contact_id: string }>(OPEN_CONTACT_IDS_SQL, [me])).map((r) => r.contact_id);
