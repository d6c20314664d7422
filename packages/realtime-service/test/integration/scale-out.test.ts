/**
 * Two realtime instances behind the gateway, fanning out over Redis: a
 * message reaches the recipient whichever instance holds the socket, and
 * whichever instance message-service handed it to. Redis down: delivery to
 * the other instance stops, nothing is lost (the clients catch up when the
 * fan-out is back, or on resume), every process stays up.
 */
import {
  eventually,
  type FaultProxy,
  mustOpen,
  startFaultProxy,
  type TestSocket,
  type TestUser,
  throughProxy,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  internalCall,
  makeContacts,
  type RealtimeStack,
  range,
  sendMessage,
  startRealtime,
} from '../helpers/stack';

const REDIS_URL = process.env.REDIS_URL;

/** The `lockbox_realtime_fanout_connected{mode="redis"}` gauge an instance's /metrics reports (what the alert watches). */
const fanOutGauge = async (rt: RealtimeStack, name: string): Promise<number> => {
  const text = await (await fetch(`${rt.stack.get(name).url}/metrics`)).text();
  return Number(/^lockbox_realtime_fanout_connected\{[^}]*mode="redis"[^}]*\} (\d+)$/m.exec(text)?.[1]);
};

const socketsOn = async (rt: RealtimeStack, name: string): Promise<number> => {
  const res = await internalCall(rt, rt.stack.get(name).url, 'GET', 'internal.connections');
  return (res.json as { result: { data: { sockets: number } } }).result.data.sockets;
};

/** Opens sockets through the gateway until one lands on `instance` (the gateway round-robins); closes the rest. */
const openOn = async (
  rt: RealtimeStack,
  user: TestUser,
  instance: string,
  after?: string,
): Promise<TestSocket> => {
  const misses: TestSocket[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const before = await socketsOn(rt, instance);
      const s = await mustOpen(rt.stack.gatewayUrl, { token: user.token, ...(after ? { after } : {}) });
      if ((await socketsOn(rt, instance)) > before) return s;
      misses.push(s);
    }
    throw new Error(`no socket landed on ${instance}`);
  } finally {
    for (const s of misses) s.close();
  }
};

describe.skipIf(!REDIS_URL)('two realtime instances over Redis', () => {
  let rt: RealtimeStack;
  let redis: FaultProxy;

  beforeAll(async () => {
    redis = await startFaultProxy({ target: REDIS_URL as string });
    rt = await startRealtime('pglite', {
      instances: { realtime: 2 },
      serviceEnv: { realtime: { REDIS_URL: throughProxy(REDIS_URL as string, redis) } },
    });
  });
  afterAll(async () => {
    await rt?.stack.stop();
    await redis?.close();
  });

  it('the recipient gets every message on both instances, whichever one message-service called', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    // One socket of Bob's on each instance: every message reaches one of them only through Redis.
    const bobOn2 = await openOn(rt, bob, 'realtime-2');
    const bobOn1 = await openOn(rt, bob, 'realtime-1');
    const aliceSocket = await openOn(rt, alice, 'realtime-1');
    for (let i = 0; i < 10; i++) await sendMessage(rt.api, alice, bob);
    await bobOn2.waitFor((s) => s.cursors().length === 10);
    await bobOn1.waitFor((s) => s.cursors().length === 10);
    expect(bobOn2.cursors()).toEqual(range(1, 10));
    expect(bobOn1.cursors()).toEqual(range(1, 10));
    // Typing and presence cross instances too.
    bobOn2.send({ type: 'typing', data: { to: alice.id } });
    await aliceSocket.waitFor((s) => s.ofType('typing').length === 1);
    bobOn1.close();
    bobOn2.close();
    await aliceSocket.waitFor((s) =>
      s.ofType('presence').some((f) => f.data.user_id === bob.id && f.data.status === 'offline'),
    );
    aliceSocket.close();
  });

  it('Redis down: nothing lost, services alive; sockets catch up when Redis is back, and resume covers the rest', async () => {
    const [alice, bob, carol] = [await rt.user(), await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await makeContacts(rt.api, alice, carol);
    const bobSocket = await openOn(rt, bob, 'realtime-2', '0');
    const carolOn1 = await openOn(rt, carol, 'realtime-1', '0');
    const carolOn2 = await openOn(rt, carol, 'realtime-2', '0');
    await sendMessage(rt.api, alice, bob);
    await bobSocket.waitFor((s) => s.cursors().length === 1);

    expect(await fanOutGauge(rt, 'realtime-1')).toBe(1);
    await redis.mode('refuse');
    await eventually(async () => ((await fanOutGauge(rt, 'realtime-1')) === 0 ? true : undefined));
    for (let i = 0; i < 10; i++) {
      await sendMessage(rt.api, alice, bob);
      await sendMessage(rt.api, alice, carol);
    }
    // Every process answers while Redis is away.
    for (const p of rt.stack.processes) {
      const res = await fetch(`${p.url}${p.service === 'gateway' ? '/health' : '/ready'}`);
      expect(res.status, p.name).toBe(200);
    }
    // A client that reconnects resumes from its cursor: complete, even with Redis still down.
    const bobLast = bobSocket.cursors().at(-1) ?? '0';
    bobSocket.close();
    const bobAgain = await mustOpen(rt.stack.gatewayUrl, { token: bob.token, after: bobLast });
    await bobAgain.waitFor((s) => [...bobSocket.cursors(), ...s.cursors()].length === 11);
    expect([...bobSocket.cursors(), ...bobAgain.cursors()]).toEqual(range(1, 11));

    // Carol stayed connected on both instances: whichever socket missed deliveries catches up once the
    // fan-out is back, without reconnecting.
    await redis.mode('pass');
    for (const socket of [carolOn1, carolOn2]) {
      await socket.waitFor((x) => x.cursors().length === 10, 20_000);
      expect(socket.cursors()).toEqual(range(1, 10));
    }
    for (const name of ['realtime-1', 'realtime-2'])
      await eventually(async () => {
        const res = await internalCall(rt, rt.stack.get(name).url, 'GET', 'internal.connections');
        return (res.json as { result: { data: { fan_out_connected: boolean } } }).result.data
          .fan_out_connected
          ? true
          : undefined;
      });
    expect(await fanOutGauge(rt, 'realtime-1')).toBe(1);
    // And live delivery across instances works again.
    await sendMessage(rt.api, alice, carol);
    await carolOn1.waitFor((x) => x.cursors().length === 11);
    await carolOn2.waitFor((x) => x.cursors().length === 11);
    bobAgain.close();
    carolOn1.close();
    carolOn2.close();
  });
});
