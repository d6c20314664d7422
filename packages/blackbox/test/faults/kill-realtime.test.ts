/**
 * F1: the realtime service SIGKILLed while messages stream to connected
 * recipients. Sends keep committing (message-service does not wait for
 * realtime); the dropped clients reconnect through the gateway with
 * `after=<last cursor>` and, across their sockets, are sent every committed
 * message exactly once, in cursor order. With two instances only the clients
 * of the killed one drop, and the gateway routes their reconnects to the other.
 */
import { eventually, makeContacts, openSocket, type TestUser } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanRefusal } from '../../src/clean-errors';
import { type FullStack, startFullStack } from '../../src/full-stack';
import { ResumingClient } from '../../src/resuming-client';
import { committedCursors, sendStream } from '../../src/traffic';

/** Contacts of `sender`, each with a resuming client connected through the gateway. */
const recipients = async (full: FullStack, sender: TestUser, count: number) =>
  Promise.all(
    Array.from({ length: count }, async () => {
      const user = await full.user('f1r');
      await makeContacts(full.api, sender, user);
      return { user, client: new ResumingClient(full.stack.gatewayUrl, user) };
    }),
  );

/** Each client was sent exactly its committed stream, and every refusal on the way was clean. */
const expectExactlyOnce = async (
  full: FullStack,
  list: Array<{ user: TestUser; client: ResumingClient }>,
) => {
  for (const { user, client } of list) {
    const committed = await committedCursors(full.api, user);
    await client.waitForCount(committed.length);
    expect(client.received()).toEqual(committed);
    for (const refused of client.refusals) expectCleanRefusal(refused, [503]);
  }
};

describe('[F1] one realtime instance, killed mid-stream', () => {
  let full: FullStack;
  beforeAll(async () => {
    full = await startFullStack('pglite');
  });
  afterAll(async () => {
    await full?.stack.stop();
  });

  it('[F1] SIGKILL mid-stream: sends still commit, upgrades answer 503 while it is down, the client resumes with after= and gets every message exactly once, in order', async () => {
    const alice = await full.user('f1s');
    const [bob] = await recipients(full, alice, 1);
    if (!bob) throw new Error('no recipient');
    const first = await bob.client.connect();
    const realtime = full.stack.get('realtime');

    const streaming = sendStream(full.api, alice, [bob.user], 40);
    await bob.client.waitForCount(5);
    await realtime.kill('SIGKILL');
    await first.waitClosed();
    // Down: sends commit all the same; a reconnect is refused cleanly, never hangs.
    await streaming;
    await sendStream(full.api, alice, [bob.user], 5);
    const refused = await openSocket(full.stack.gatewayUrl, {
      token: bob.user.token,
      after: bob.client.last(),
    });
    if (!('refused' in refused)) throw new Error('upgrade accepted with realtime down');
    expectCleanRefusal(refused, [503]);

    await realtime.start();
    await bob.client.connect();
    await sendStream(full.api, alice, [bob.user], 5);
    expect(await committedCursors(full.api, bob.user)).toHaveLength(50);
    await expectExactlyOnce(full, [bob]);
    bob.client.closeAll();
  });
});

describe.runIf(process.env.REDIS_URL)('[F1] two realtime instances over Redis, one killed mid-stream', () => {
  let full: FullStack;
  beforeAll(async () => {
    full = await startFullStack('pglite', { instances: { realtime: 2 } });
  });
  afterAll(async () => {
    await full?.stack.stop();
  });

  it('[F1] SIGKILL one of two instances: only its clients drop, they reconnect to the other and resume; everyone gets every message exactly once, in order', async () => {
    const alice = await full.user('f1s');
    // The gateway round-robins upgrades over the two instances: four clients land on both.
    const list = await recipients(full, alice, 4);
    for (const r of list) await r.client.connect();
    const users = list.map((r) => r.user);

    const streaming = sendStream(full.api, alice, users, 60);
    for (const r of list) await r.client.waitForCount(3);
    await full.stack.get('realtime-1').kill('SIGKILL');
    const isClosed = (r: (typeof list)[number]) => r.client.socket?.closed !== undefined;
    await eventually(async () => (list.some(isClosed) ? true : undefined));
    await streaming;

    const dropped = list.filter(isClosed);
    const stayed = list.filter((r) => !isClosed(r));
    expect(dropped.length).toBeGreaterThan(0);
    expect(stayed.length).toBeGreaterThan(0);
    // The dropped reconnect at once: the gateway sends them to the live instance.
    for (const r of dropped) await r.client.connect();
    await sendStream(full.api, alice, users, 8);

    await expectExactlyOnce(full, list);
    for (const r of stayed) expect(r.client.sockets).toHaveLength(1);
    for (const r of list) r.client.closeAll();
    await full.stack.get('realtime-1').start();
  });
});
