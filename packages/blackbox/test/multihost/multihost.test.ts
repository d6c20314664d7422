/**
 * Issue 15 item 4: the deploy/ topology on real hosts. Every process, PostgreSQL
 * and Redis run in network namespaces of their own (one "machine" each, its own
 * address on a bridge this test makes, no route off the machine), configured as
 * an operator would — one LOCKBOX_INTERNAL_SECRET, DATABASE_URL/REDIS_URL by
 * host name, the gateways' *_UPSTREAMS as one headless-style name per service
 * that the gateways re-resolve. Two gateways, two hosts per service.
 *
 * While a sender keeps sending (retrying through the other gateway with the
 * same client_msg_id on any failure) and two recipients keep sockets open
 * (resuming with after= on any close), the test partitions a host and heals
 * it, SIGKILLs a host's process and brings the host back, and restarts
 * PostgreSQL. At the end every message the sender was answered 201 for is in
 * its recipient's stream exactly once, each recipient's sockets were sent that
 * stream exactly once and in order, and every process answers ready again
 * without being touched (the killed one after its host came back).
 *
 * Needs root and `ip netns` (CI on these machines has both); skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import {
  client,
  eventually,
  makeContacts,
  noteOf,
  postgresServerUnavailable,
  readStream,
  registerUser,
  type TestUser,
} from '@lockbox/testkit';
import {
  type MultiHost,
  netnsUnavailable,
  redisServerUnavailable,
  startMultiHost,
} from '@lockbox/testkit/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumingReceiver, RetryingSender } from './clients';

const unavailable = netnsUnavailable() ?? postgresServerUnavailable() ?? redisServerUnavailable();
if (unavailable) console.warn(`[multihost] skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `multi-host: LockBox on network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let hosts: MultiHost;
    let alice: TestUser;
    const recipients: Array<{ user: TestUser; receiver: ResumingReceiver; sent: string[] }> = [];
    let sender: RetryingSender;
    let counter = 0;

    beforeAll(async () => {
      hosts = await startMultiHost({
        env: {
          RL_REGISTER_PER_IP: '100000',
          RL_LOGIN_PER_IP: '100000',
          RL_PRELOGIN_PER_IP: '100000',
          DATABASE_QUERY_TIMEOUT_MS: '3000',
        },
        gatewayEnv: {
          GATEWAY_DNS_REFRESH_MS: '500',
          GATEWAY_HEALTH_INTERVAL_MS: '500',
          GATEWAY_CONNECT_TIMEOUT_MS: '1000',
          GATEWAY_UPSTREAM_TIMEOUT_MS: '5000',
          GATEWAY_EJECT_MS: '2000',
          RL_GATEWAY_PER_IP: '0',
        },
      });
      const api = client(hosts.gatewayUrls[0] as string);
      alice = await registerUser(api, 'mha');
      for (let i = 0; i < 2; i++) {
        const user = await registerUser(api, `mhr${i}`);
        await makeContacts(api, alice, user);
        const receiver = new ResumingReceiver(hosts.gatewayUrls, user, i);
        await receiver.start();
        recipients.push({ user, receiver, sent: [] });
      }
      sender = new RetryingSender(hosts.gatewayUrls, alice);
    }, 240_000);

    afterAll(async () => {
      for (const r of recipients) r.receiver.stop();
      await hosts?.destroy();
    });

    /** Sends `n` messages, alternating recipients, one after another (each retried until committed). */
    const sendSome = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = recipients[counter % recipients.length] as (typeof recipients)[number];
        const note = `m${counter++}-${randomUUID().slice(0, 8)}`;
        await sender.send(r.user, note);
        r.sent.push(note);
      }
    };

    const authInstancesSeenBy = async (gateway: string) => {
      const res = await client(gateway).get<{ services: { auth: { instances: Array<{ url: string }> } } }>(
        '/health',
      );
      return res.json.services.auth.instances.map((i) => i.url).sort();
    };

    it('gateways resolve a service name to every host, and follow its records as they change', async () => {
      const auth = hosts.dns.records('auth');
      const urls = auth.map((a) => `http://${a}:8001`).sort();
      for (const gw of hosts.gatewayUrls) expect(await authInstancesSeenBy(gw)).toEqual(urls);
      // A host leaves the name (as a pod leaves a headless Service), then comes back.
      hosts.dns.set('auth', auth.slice(0, 1));
      for (const gw of hosts.gatewayUrls)
        await eventually(
          async () => ((await authInstancesSeenBy(gw)).length === 1 ? true : undefined),
          10_000,
        );
      hosts.dns.set('auth', auth);
      for (const gw of hosts.gatewayUrls)
        await eventually(
          async () => ((await authInstancesSeenBy(gw)).length === 2 ? true : undefined),
          10_000,
        );
      await sendSome(4);
    });

    it('a partitioned host (messages-1 cut off its bridge) is routed around, and rejoins when healed', async () => {
      hosts.net.partition('messages-1');
      try {
        await sendSome(10);
      } finally {
        hosts.net.heal('messages-1');
      }
      await hosts.process('messages-1').waitReady(30_000);
      await sendSome(4);
    });

    it("a killed host's process (realtime-1, SIGKILL) drops its sockets; clients resume elsewhere; the host comes back", async () => {
      await hosts.process('realtime-1').kill('SIGKILL');
      await sendSome(6);
      await hosts.process('realtime-1').start();
      await sendSome(4);
    });

    it('PostgreSQL restarted (fast stop, start): sends fail cleanly meanwhile and are retried', async () => {
      const sending = sendSome(8);
      hosts.postgres.stop('fast');
      await new Promise((r) => setTimeout(r, 1_500));
      hosts.postgres.start();
      await sending;
      await sendSome(4);
    });

    it('every committed message is delivered exactly once, in order, and every process is ready again by itself', async () => {
      const api = client(hosts.gatewayUrls[1] as string);
      for (const r of recipients) {
        const stream = await readStream(api, r.user);
        const notes = stream.map((m) => noteOf(m as { encrypted_blob?: unknown }));
        // Committed exactly once each (retries kept their client_msg_id), nothing else.
        expect(notes).toEqual(r.sent);
        const cursors = stream.map((m) => m.cursor);
        await eventually(
          async () => (r.receiver.received().length >= cursors.length ? true : undefined),
          30_000,
        ).catch(() => undefined);
        expect(r.receiver.received()).toEqual(cursors);
      }
      for (const p of hosts.processes.values()) await p.waitReady(30_000);
      for (const gw of hosts.gatewayUrls)
        await eventually(
          async () => ((await client(gw).get('/health')).status === 200 ? true : undefined),
          15_000,
        );
      // The faults really hit the clients: some sends had to be retried, and realtime-1's kill
      // closed sockets that were resumed on new ones.
      expect(sender.retries).toBeGreaterThan(0);
      expect(recipients.some((r) => r.receiver.sockets.length > 1)).toBe(true);
    });
  },
);
