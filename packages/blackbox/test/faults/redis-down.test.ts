/**
 * F7: Redis goes away under two realtime instances (a fault proxy between
 * every process and Redis: `refuse`, a dead host; `blackhole`, a host that
 * takes commands and never answers). Redis carries the fan-out between the
 * realtime instances and the shared rate-limit counts (the gateway's per-IP
 * limit is on here, so every request meets it). While it is away every
 * process stays up and answers — sends commit (201), logins work (limits fall
 * back to memory) — and delivery degrades to resume: a client reconnecting
 * with `after=` gets everything. When Redis is back the sockets that stayed
 * connected catch up and live delivery across instances resumes. Nothing is
 * lost: every socket's frames are its user's stream, once each, in order.
 */
import {
  eventually,
  type FaultMode,
  type FaultProxy,
  makeContacts,
  startFaultProxy,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullStack, startFullStack } from '../../src/full-stack';
import { ResumingClient } from '../../src/resuming-client';
import { committedCursors, sendStream } from '../../src/traffic';

/** Any answer slower than this while Redis is away counts as a hang. */
const ANSWER_BOUND_MS = 8_000;

const REDIS_FAULTS: FaultMode[] = ['refuse', 'blackhole'];

describe.runIf(process.env.REDIS_URL)('[F7] Redis down under two realtime instances', () => {
  let full: FullStack;
  let redis: FaultProxy;
  beforeAll(async () => {
    redis = await startFaultProxy();
    full = await startFullStack('pglite', {
      instances: { realtime: 2 },
      via: { redis },
      gatewayEnv: { RL_GATEWAY_PER_IP: '100000' },
    });
  });
  afterAll(async () => {
    await full?.stack.stop();
    await redis?.close();
  });

  /** Every process answers its health/readiness, and auth and message calls work, in bounded time. */
  const expectServing = async (alice: TestUser, carol: TestUser) => {
    for (const p of full.stack.processes) {
      const res = await fetch(`${p.url}${p.service === 'gateway' ? '/health' : '/ready'}`, {
        signal: AbortSignal.timeout(ANSWER_BOUND_MS),
      });
      expect(res.status, p.name).toBe(200);
    }
    const login = await full.api.post('/auth/login', {
      body: { username: alice.username, password: alice.password },
      timeoutMs: ANSWER_BOUND_MS,
    });
    expect(login.status).toBe(200);
    const dave = await full.user('f7d');
    const request = await full.api.post('/chat-requests/send', {
      token: dave.token,
      body: { to_user_id: carol.id },
      timeoutMs: ANSWER_BOUND_MS,
    });
    expect(request.status).toBe(201);
  };

  /** The gateway sees both realtime instances up (a restarted one counts once a health check or a request found it). */
  const bothRealtimeUp = () =>
    eventually(async () => {
      const res = await full.api.get<{ services: { realtime: { instances: Array<{ status: string }> } } }>(
        '/health',
      );
      const instances = res.json?.services?.realtime?.instances ?? [];
      return instances.length === 2 && instances.every((i) => i.status === 'up') ? true : undefined;
    }, 20_000);

  it.each(REDIS_FAULTS)(
    '[F7] Redis %s: services alive, sends commit, resume gets everything; Redis back → connected sockets catch up, live delivery across instances resumes; nothing lost',
    async (mode) => {
      // The previous case restarted realtime-1: until the gateway sees it up, every upgrade would go to realtime-2.
      await bothRealtimeUp();
      const [alice, bob, carol] = [await full.user('f7a'), await full.user('f7b'), await full.user('f7c')];
      await makeContacts(full.api, alice, bob);
      await makeContacts(full.api, alice, carol);
      const bobClient = new ResumingClient(full.stack.gatewayUrl, bob);
      // Two upgrades in a row: the gateway round-robins them onto both instances (checked at the end).
      const carolClients = [0, 1].map(() => new ResumingClient(full.stack.gatewayUrl, carol));
      for (const c of [bobClient, ...carolClients]) await c.connect();
      await sendStream(full.api, alice, [bob, carol], 4);
      for (const c of [bobClient, ...carolClients]) await c.waitForCount(2);

      await redis.mode(mode);
      await sendStream(full.api, alice, [bob, carol], 20);
      await expectServing(alice, carol);
      // Degraded to resume: a client that reconnects is sent everything, Redis or not.
      bobClient.socket?.close();
      await bobClient.socket?.waitClosed();
      await bobClient.connect();
      await bobClient.waitForCount(12);
      expect(bobClient.received()).toEqual(await committedCursors(full.api, bob));

      await redis.mode('pass');
      // Carol's sockets stayed connected: each catches up, and then live messages reach both instances.
      for (const c of carolClients) await c.waitForCount(12);
      await sendStream(full.api, alice, [carol], 3);
      const committed = await committedCursors(full.api, carol);
      expect(committed).toHaveLength(15);
      for (const c of carolClients) {
        await c.waitForCount(15);
        expect(c.received()).toEqual(committed);
        expect(c.sockets).toHaveLength(1);
      }
      await expectServing(alice, carol);

      // Carol's two sockets were on different instances: killing one instance drops exactly one of them.
      await full.stack.get('realtime-1').kill('SIGKILL');
      await eventually(async () => (carolClients.some((c) => c.socket?.closed) ? true : undefined));
      expect(carolClients.filter((c) => c.socket?.closed)).toHaveLength(1);
      await full.stack.get('realtime-1').start();
      for (const c of [bobClient, ...carolClients]) c.closeAll();
    },
  );
});
