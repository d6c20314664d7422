/**
 * F3: the database goes away under running services, both ways it happens:
 * PostgreSQL itself stops (a private server, stopped `immediate` like a
 * crash), or the TCP path to it breaks (a fault proxy between every service
 * and PostgreSQL: `reset`, or `blackhole` — a peer that never answers, which
 * only the services' own database timeouts can bound). While it lasts, auth
 * and message calls answer 503 with Retry-After, never hang; when it is back
 * the same processes serve again by themselves, and every message sent
 * before the fault (and every send retried after it) is there exactly once.
 */
import {
  eventually,
  type FaultMode,
  type FaultProxy,
  makeContacts,
  noteOf,
  type PostgresServer,
  postgresServerUnavailable,
  readStream,
  sendMessage,
  startFaultProxy,
  startPostgresServer,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError } from '../../src/clean-errors';
import { envelopeTo } from '../../src/envelope';
import { type FullStack, startFullStack } from '../../src/full-stack';

/** The services' database query timeout for this suite (a blackholed query fails after this). */
const QUERY_TIMEOUT_MS = 2_000;
/** No answer may take longer than this while the database is away: query or connect timeout, plus slack. */
const ANSWER_BOUND_MS = 10_000;

interface Pair {
  alice: TestUser;
  bob: TestUser;
  /** Notes of the messages alice sent bob that were answered 201. */
  sent: string[];
}

const PATH_FAULTS: FaultMode[] = ['reset', 'blackhole'];

describe.runIf(postgresServerUnavailable() === undefined)('[F3] database down', () => {
  let server: PostgresServer;
  let dbPath: FaultProxy;
  let full: FullStack;
  beforeAll(async () => {
    server = await startPostgresServer();
    dbPath = await startFaultProxy();
    full = await startFullStack('postgres', {
      postgresAdminUrl: server.url,
      via: { database: dbPath },
      env: { DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await full?.stack.stop();
    await dbPath?.close();
    server?.destroy();
  });

  const pairWithHistory = async (): Promise<Pair> => {
    const [alice, bob] = [await full.user('f3a'), await full.user('f3b')];
    await makeContacts(full.api, alice, bob);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const note = `before-${i}-${bob.id}`;
      await sendMessage(full.api, alice, bob, note);
      sent.push(note);
    }
    return { alice, bob, sent };
  };

  /** Auth and message calls while the database is away: each a clean 503, in bounded time. Returns the failed send. */
  const expectUnavailable = async ({ alice, bob }: Pair) => {
    const send = envelopeTo(bob, { note: `during-${bob.id}` });
    const calls = [
      () => full.api.post('/messages/send', { token: alice.token, body: send, timeoutMs: ANSWER_BOUND_MS }),
      () => full.api.get('/messages?after=0', { token: bob.token, timeoutMs: ANSWER_BOUND_MS }),
      () =>
        full.api.post('/auth/login', {
          body: { username: alice.username, password: alice.password },
          timeoutMs: ANSWER_BOUND_MS,
        }),
    ];
    for (const call of calls) expectCleanError(await call(), [503]);
    return send;
  };

  /** Recovered by itself: the failed send retried with its client_msg_id lands once, nothing before it is lost. */
  const expectRecovered = async (pair: Pair, failedSend: ReturnType<typeof envelopeTo>) => {
    const retried = await eventually(async () => {
      const res = await full.api.post('/messages/send', { token: pair.alice.token, body: failedSend });
      if (res.status === 201) return res;
      expectCleanError(res, [503]);
      return undefined;
    }, 30_000);
    expect(retried.status).toBe(201);
    const login = await full.api.post('/auth/login', {
      body: { username: pair.alice.username, password: pair.alice.password },
    });
    expect(login.status).toBe(200);
    const stream = await readStream(full.api, pair.bob);
    expect(stream.map((m) => noteOf({ encrypted_blob: m.encrypted_blob }))).toEqual([
      ...pair.sent,
      noteOf(failedSend),
    ]);
  };

  const pids = () => ['auth', 'messages'].map((name) => full.stack.get(name).child?.pid);

  it('[F3] PostgreSQL stopped (immediate): auth and message calls answer 503 with Retry-After, /health degraded; started again → the same processes recover by themselves, nothing lost', async () => {
    const pair = await pairWithHistory();
    const before = pids();
    server.stop('immediate');
    let failedSend: ReturnType<typeof envelopeTo>;
    try {
      failedSend = await expectUnavailable(pair);
      const health = await eventually(async () => {
        const res = await full.api.get<{ status: string; services: Record<string, { status: string }> }>(
          '/health',
        );
        return res.status === 503 ? res : undefined;
      });
      expect(health.json.status).toBe('unavailable');
      expect(health.json.services.messages?.status).toBe('down');
      expect(health.json.services.auth?.status).toBe('down');
    } finally {
      server.start();
    }
    await expectRecovered(pair, failedSend);
    await eventually(async () => ((await full.api.get('/health')).status === 200 ? true : undefined), 20_000);
    expect(pids()).toEqual(before);
  });

  it.each(PATH_FAULTS)(
    '[F3] TCP path to PostgreSQL cut (%s): 503 with Retry-After within the database timeouts; path back → recovery, nothing lost',
    async (mode) => {
      const pair = await pairWithHistory();
      const before = pids();
      await dbPath.mode(mode);
      let failedSend: ReturnType<typeof envelopeTo>;
      try {
        failedSend = await expectUnavailable(pair);
      } finally {
        await dbPath.mode('pass');
      }
      await expectRecovered(pair, failedSend);
      expect(pids()).toEqual(before);
    },
  );
});
