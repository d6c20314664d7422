/**
 * Every access path is served by an index (DESIGN §5: no full scan for a
 * conversation or a contact list). On real Postgres with the service's own
 * migrations and enough synthetic rows that the planner has a choice, after
 * ANALYZE: the plan of each hot query contains no Seq Scan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Database, openDatabase, runMigrations } from '@lockbox/service-kit';
import { createTempDatabase, type TempDatabase } from '@lockbox/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCKED_SQL,
  CONTACTS_SQL,
  INCOMING_SQL,
  OPEN_CONTACT_IDS_SQL,
  OUTGOING_SQL,
} from '../src/store/lists';
import {
  CONVERSATION_PAGE_SQL,
  MESSAGES_AFTER_SQL,
  ORIGINAL_ANSWER_SQL,
  SEND_MESSAGE_SQL,
} from '../src/store/messages';
import { MLS_EPOCH_SQL, SEND_MLS_SQL } from '../src/store/mls';
import { RELATION_SQL } from '../src/store/relationships';

const MIGRATIONS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'migrations');
const adminUrl = process.env.TEST_DATABASE_URL;

/** 500 pairs (u00001 ↔ v00001, …) with 100 messages each, requests, contacts and blocks around them. */
const SEED = `
  INSERT INTO lockbox_messages.conversations (id, user_a, user_b, last_seq)
    SELECT 'cnv_' || g, 'u' || lpad(g::text, 5, '0'), 'v' || lpad(g::text, 5, '0'), 100 FROM generate_series(1, 500) g;
  INSERT INTO lockbox_messages.user_cursors (user_id, last_cursor)
    SELECT 'u' || lpad(g::text, 5, '0'), 100 FROM generate_series(1, 500) g
    UNION ALL SELECT 'v' || lpad(g::text, 5, '0'), 100 FROM generate_series(1, 500) g;
  INSERT INTO lockbox_messages.messages (id, conversation_id, seq, sender_id, recipient_id, sender_cursor,
                                        recipient_cursor, client_msg_id, encrypted_blob, signature)
    SELECT 'msg_' || c || '_' || s, 'cnv_' || c,  s,
           CASE WHEN s % 2 = 0 THEN 'u' ELSE 'v' END || lpad(c::text, 5, '0'),
           CASE WHEN s % 2 = 0 THEN 'v' ELSE 'u' END || lpad(c::text, 5, '0'),
           s, s, 'c' || s, repeat('A', 200), repeat('B', 88)
      FROM generate_series(1, 500) c, generate_series(1, 100) s;
  INSERT INTO lockbox_messages.contacts (user_id, contact_id, conversation_id)
    SELECT 'u' || lpad(g::text, 5, '0'), 'v' || lpad(g::text, 5, '0'), 'cnv_' || g FROM generate_series(1, 500) g
    UNION ALL SELECT 'v' || lpad(g::text, 5, '0'), 'u' || lpad(g::text, 5, '0'), 'cnv_' || g FROM generate_series(1, 500) g;
  INSERT INTO lockbox_messages.chat_requests (id, from_user_id, to_user_id, status)
    SELECT 'req_' || a || '_' || b, 'w' || lpad(a::text, 5, '0'), 'w' || lpad(b::text, 5, '0'),
           CASE WHEN (a + b) % 3 = 0 THEN 'pending' ELSE 'declined' END
      FROM generate_series(1, 150) a, generate_series(1, 150) b WHERE a < b;
  INSERT INTO lockbox_messages.blocks (blocker_id, blocked_id)
    SELECT 'w' || lpad(a::text, 5, '0'), 'w' || lpad(b::text, 5, '0')
      FROM generate_series(1, 150) a, generate_series(1, 150) b WHERE (a * b) % 7 = 0 AND a <> b;
  ANALYZE;`;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe.skipIf(!adminUrl)('query plans on postgres', () => {
  let temp: TempDatabase;
  let db: Database;

  beforeAll(async () => {
    temp = await createTempDatabase(adminUrl as string);
    const log = createLogger({
      service: 'plans',
      logDir: fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-plans-')),
      level: 'silent',
      stdout: false,
    });
    db = await openDatabase({ service: 'messages', dataDir: '', url: temp.url, poolMax: 2, log });
    await runMigrations(db, 'lockbox_messages', MIGRATIONS);
    await db.exec(SEED);
  });
  afterAll(async () => {
    await db?.close();
    await temp?.drop();
  });

  const plan = async (sql: string, params: Array<string | number | string[]>) => {
    const [row] = await db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      params,
    );
    return nodesOf((row as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]?.Plan as PlanNode);
  };

  it.each([
    [
      'a viewer stream after a cursor (GET /messages?after=)',
      MESSAGES_AFTER_SQL,
      ['u00042', 50, 101],
      'messages_',
    ],
    [
      'a conversation page (GET /messages/conversation)',
      CONVERSATION_PAGE_SQL,
      ['cnv_42', 'u00042', 60, 51],
      'messages_',
    ],
    [
      'the original answer of a retried send',
      ORIGINAL_ANSWER_SQL,
      ['u00042', 'c7'],
      'messages_sender_client_msg_id_key',
    ],
    ['the relation of two users', RELATION_SQL, ['u00042', 'v00042'], 'contacts_'],
    ['the MLS epoch of a conversation', MLS_EPOCH_SQL, ['u00042', 'v00042'], 'contacts_'],
    ['incoming requests', INCOMING_SQL, ['w00100', 'infinity', '', 51], 'chat_requests_incoming_idx'],
    ['outgoing requests', OUTGOING_SQL, ['w00010', 'infinity', '', 51], 'chat_requests_outgoing_idx'],
    ['a contact page', CONTACTS_SQL, ['u00042', '-infinity', '', 51], 'contacts_'],
    ['a blocked-users page', BLOCKED_SQL, ['w00042', '-infinity', '', 51], 'blocks_'],
    ['open contact ids (realtime)', OPEN_CONTACT_IDS_SQL, ['u00042'], 'contacts_'],
  ] as const)('%s uses an index, no Seq Scan', async (_name, sql, params, index) => {
    const nodes = await plan(sql, [...params] as Array<string | number | string[]>);
    const scans = nodes.filter((n) => n['Node Type'].includes('Scan') && n['Node Type'] !== 'CTE Scan');
    expect(
      scans.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']),
      JSON.stringify(scans.map((n) => [n['Node Type'], n['Index Name'] ?? n['Relation Name']])),
    ).toEqual([]);
    expect(scans.some((n) => (n['Index Name'] ?? '').startsWith(index))).toBe(true);
  });

  it('the send functions (their statements are not visible to EXPLAIN) cause no sequential scan', async () => {
    const conn = new pg.Client({ connectionString: temp.url });
    await conn.connect();
    try {
      const seqScans = async () => {
        await conn.query('SELECT pg_stat_force_next_flush()');
        await conn.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await conn.query<{ relname: string; seq_scan: string }>(
          `SELECT relname, seq_scan FROM pg_stat_user_tables WHERE schemaname = 'lockbox_messages' ORDER BY relname`,
        );
        return Object.fromEntries(rows.map((r) => [r.relname, Number(r.seq_scan)]));
      };
      // The MLS send runs only for the conversation its message's header claims (looked up before counting).
      const { rows: conv } = await conn.query<{ conversation_id: string }>(
        `SELECT conversation_id FROM lockbox_messages.contacts WHERE user_id = 'u00030' AND contact_id = 'v00030'`,
      );
      const before = await seqScans();
      const call = (n: number, sender: string, recipient: string, clientMsgId: string) =>
        conn.query(SEND_MESSAGE_SQL, [`msg_plan_${n}`, sender, recipient, clientMsgId, 'AAAA', 'BBBB', null]);
      for (let i = 1; i <= 20; i++) {
        const res = await call(
          i,
          `u${String(i).padStart(5, '0')}`,
          `v${String(i).padStart(5, '0')}`,
          `plan-${i}`,
        );
        expect(res.rows[0]?.outcome).toBe('stored');
      }
      expect((await call(99, 'u00001', 'v00001', 'plan-1')).rows[0]?.outcome).toBe('duplicate');
      expect((await call(98, 'u00001', 'v00002', 'plan-x')).rows[0]?.outcome).toBe('not_contact');
      // The MLS send: an application message, a commit with its Welcome, a stale commit, a retry.
      const mls = (n: number, kind: string, epoch: number, clientMsgId: string, welcome: string | null) =>
        conn.query(SEND_MLS_SQL, [
          `msg_mls_${n}`,
          `msg_mlw_${n}`,
          'u00030',
          'v00030',
          clientMsgId,
          kind,
          epoch,
          'AAAA',
          welcome,
          conv[0]?.conversation_id,
        ]);
      expect((await mls(1, 'application', 0, 'mls-1', null)).rows[0]?.outcome).toBe('stored');
      expect((await mls(2, 'commit', 0, 'mls-2', 'BBBB')).rows[0]?.outcome).toBe('stored');
      expect((await mls(3, 'commit', 0, 'mls-3', null)).rows[0]?.outcome).toBe('conflict');
      expect((await mls(4, 'commit', 0, 'mls-2', 'BBBB')).rows[0]).toMatchObject({
        outcome: 'duplicate',
        welcome_id: 'msg_mlw_2',
      });
      expect(await seqScans()).toEqual(before);
    } finally {
      await conn.end();
    }
  });
});
