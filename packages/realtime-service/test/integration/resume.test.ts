/**
 * Exactly once, in order (Signal-Server's delivery cases, through the
 * gateway): a backlog replayed while live messages keep coming, a client that
 * drops mid-stream and resumes, the realtime process killed mid-stream.
 * "Received" below is every new_message frame across all of a client's
 * sockets, in arrival order: it must be the user's stream 1..N exactly.
 */
import {
  enginesUnderTest,
  eventually,
  mustOpen,
  openSocket,
  type TestSocket,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeContacts,
  type RealtimeStack,
  range,
  readStream,
  sendMessage,
  startRealtime,
} from '../helpers/stack';

/** A client that keeps what it was sent across reconnects and resumes from its last cursor. */
class ResumingClient {
  received: string[] = [];
  socket: TestSocket | undefined;
  #counted = 0;

  readonly #base: string;
  readonly #user: TestUser;

  constructor(base: string, user: TestUser) {
    this.#base = base;
    this.#user = user;
  }

  get last() {
    return this.received.at(-1) ?? '0';
  }

  /** Moves the current socket's new messages into `received`. */
  collect() {
    const cursors = this.socket?.cursors() ?? [];
    this.received.push(...cursors.slice(this.#counted));
    this.#counted = cursors.length;
  }

  async connect() {
    this.collect();
    this.#counted = 0;
    // Through the gateway; while realtime restarts, the gateway answers 503 for a moment.
    this.socket = await eventually(async () => {
      const s = await openSocket(this.#base, { token: this.#user.token, after: this.last });
      return 'refused' in s ? undefined : s;
    }, 30_000);
  }

  drop() {
    this.collect();
    this.socket?.ws.terminate();
    this.socket = undefined;
  }

  async waitForCount(n: number, timeoutMs = 30_000) {
    await eventually(
      async () => {
        this.collect();
        return this.received.length >= n ? true : undefined;
      },
      timeoutMs,
      25,
    );
    this.collect();
  }
}

/** Sends n messages from `from` to `to`, a few at a time. */
const sendMany = async (rt: RealtimeStack, from: TestUser, to: TestUser, n: number, parallel = 3) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        next++;
        await sendMessage(rt.api, from, to);
      }
    }),
  );
};

describe.each(enginesUnderTest())('exactly once, in order (%s)', (engine) => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtime(engine);
  });
  afterAll(async () => {
    await rt?.stack.stop();
  });

  it('a message committed while the recipient is offline arrives on the next connect', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await sendMessage(rt.api, alice, bob, 'while you were out');
    const s = await mustOpen(rt.stack.gatewayUrl, { token: bob.token, after: '0' });
    await s.waitFor((x) => x.ofType('resumed').length === 1);
    expect(s.cursors()).toEqual(['1']);
    expect(s.ofType('resumed')[0]?.data).toEqual({ cursor: '1', replayed: 1 });
    s.close();
  });

  it('a backlog replayed while live messages keep coming: 0 lost, 0 duplicated, in order', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await sendMany(rt, alice, bob, 450); // more than two replay pages
    const bobClient = new ResumingClient(rt.stack.gatewayUrl, bob);
    const live = sendMany(rt, alice, bob, 60);
    await bobClient.connect(); // ?after=0 while the live sends run
    await live;
    await bobClient.waitForCount(510);
    expect(bobClient.received).toEqual(range(1, 510));
    const stream = await readStream(rt.api, bob);
    expect(stream.map((m) => m.cursor)).toEqual(range(1, 510));
    bobClient.drop();
  });

  it('a client that drops mid-stream and resumes gets every message exactly once', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    const bobClient = new ResumingClient(rt.stack.gatewayUrl, bob);
    await bobClient.connect();
    const sending = sendMany(rt, alice, bob, 120, 2);
    for (let drops = 0; drops < 3; drops++) {
      await bobClient.waitForCount(20 * (drops + 1));
      bobClient.drop();
      await bobClient.connect();
    }
    await sending;
    await bobClient.waitForCount(120);
    expect(bobClient.received).toEqual(range(1, 120));
    bobClient.drop();
  });

  it('a resume frame on an open socket replays after its cursor, then live', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await sendMany(rt, alice, bob, 5);
    const s = await mustOpen(rt.stack.gatewayUrl, { token: bob.token, viaProtocol: true });
    s.send({ type: 'resume', data: { after: '2' } });
    await s.waitFor((x) => x.ofType('resumed').length === 1);
    await sendMessage(rt.api, alice, bob);
    await s.waitFor((x) => x.cursors().length === 4);
    expect(s.cursors()).toEqual(['3', '4', '5', '6']);
    s.close();
  });

  it('?after=C and then resume {after: C} on the same socket: every message once, then two resumed frames', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await sendMany(rt, alice, bob, 4);
    const s = await mustOpen(rt.stack.gatewayUrl, { token: bob.token, after: '1' });
    await s.waitFor((x) => x.ofType('resumed').length === 1);
    s.send({ type: 'resume', data: { after: '1' } });
    await s.waitFor((x) => x.ofType('resumed').length === 2);
    await sendMessage(rt.api, alice, bob);
    await s.waitFor((x) => x.cursors().length === 4);
    expect(s.cursors()).toEqual(['2', '3', '4', '5']);
    expect(s.ofType('resumed').map((f) => f.data)).toEqual([
      { cursor: '4', replayed: 3 },
      { cursor: '4', replayed: 0 },
    ]);
    s.close();
  });

  it('the realtime process killed mid-stream: clients reconnect, resume, and miss nothing', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    const bobClient = new ResumingClient(rt.stack.gatewayUrl, bob);
    await bobClient.connect();
    const sending = sendMany(rt, alice, bob, 90, 2);
    await bobClient.waitForCount(20);
    const realtime = rt.stack.get('realtime');
    await realtime.kill('SIGKILL');
    await bobClient.socket?.waitClosed();
    await realtime.start();
    await bobClient.connect();
    await sending;
    await bobClient.waitForCount(90);
    expect(bobClient.received).toEqual(range(1, 90));
    bobClient.drop();
  });
});
