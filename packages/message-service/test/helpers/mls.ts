/** MLS Delivery Service steps the suites repeat: an MLS send with a real header and the conversation's epoch. */
import { randomUUID } from 'node:crypto';
import type { TMlsEpochResponse, TSendMlsRequest, TSendMlsResponse } from '@lockbox/contracts';
import {
  type Client,
  eventually,
  expectStatus,
  type HttpResult,
  mlsPrivateMessage,
  mlsWelcome,
  type TestUser,
} from '@lockbox/testkit';
import pg from 'pg';

export type MlsSend = TSendMlsRequest;
export type MlsAnswer = TSendMlsResponse;

/**
 * A send whose bytes carry a real MLS header (group id = the conversation id, the epoch and the
 * content type the request names) around random ciphertext: the server reads only the header.
 * `bytes` sets the message's exact total size.
 */
export const mlsSend = (
  conversationId: string,
  recipientId: string,
  kind: MlsSend['kind'],
  epoch: number,
  opts: { welcome?: boolean; bytes?: number } = {},
): MlsSend => ({
  recipient_id: recipientId,
  client_msg_id: randomUUID(),
  kind,
  epoch,
  message: sized(opts.bytes, (n) => mlsPrivateMessage(conversationId, epoch, kind, n)).toString('base64'),
  ...(opts.welcome ? { welcome: mlsWelcome().toString('base64') } : {}),
});

const sized = (total: number | undefined, build: (ciphertext: number) => Buffer): Buffer => {
  if (total === undefined) return build(64);
  let n = total - build(0).length;
  let out = build(n);
  while (out.length !== total) {
    n -= out.length - total;
    out = build(n);
  }
  return out;
};

export const postMls = (api: Client, from: TestUser, body: unknown): Promise<HttpResult<MlsAnswer>> =>
  api.post<MlsAnswer>('/messages/mls', { token: from.token, body });

export const sendMls = async (api: Client, from: TestUser, body: MlsSend): Promise<MlsAnswer> =>
  expectStatus<MlsAnswer>(await postMls(api, from, body), 201);

export const epochOf = async (api: Client, me: TestUser, contact: TestUser): Promise<number> =>
  expectStatus<TMlsEpochResponse>(
    await api.get(`/messages/mls/epoch/${contact.id}`, { token: me.token }),
    200,
  ).epoch;

/**
 * Postgres only: holds `userId`'s stream-counter row locked while `start` fires
 * requests, until `waiters` sessions are queued behind the lock, then lets them
 * all go at once. So every request has passed the function's first look-ups
 * before any of them stores: the race the lock order must settle, made certain.
 */
export const releasedTogether = async <T>(
  databaseUrl: string,
  userId: string,
  waiters: number,
  start: () => Promise<T>,
): Promise<T> => {
  const holder = new pg.Client({ connectionString: databaseUrl });
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([holder.connect(), watcher.connect()]);
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM lockbox_messages.user_cursors WHERE user_id = $1 FOR UPDATE', [userId]);
    const running = start();
    await eventually(async () => {
      const { rows } = await watcher.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%send_mls%'`,
      );
      return Number(rows[0]?.n) >= waiters ? true : undefined;
    });
    await holder.query('COMMIT');
    return await running;
  } finally {
    await Promise.all([holder.end(), watcher.end()]);
  }
};
