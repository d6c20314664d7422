/**
 * Exactly once, in order (Signal-Server's delivery cases, through the
 * gateway): a backlog replayed while live messages keep coming, a client that
 * drops mid-stream and resumes, the realtime process killed mid-stream.
 * "Received" below is every new_message frame across all of a client's
 * sockets, in arrival order: it must be the user's stream 1..N exactly. A
 * client is one device: a user with three devices has three sockets, each
 * with its own cursor, and MLS items (v2-wire.md §2) travel like any message.
 */
import { randomUUID } from 'node:crypto';
import { ZMessage, ZServerFrameSchema } from '@lockbox/contracts';
import {
  enginesUnderTest,
  expectStatus,
  mlsPrivateMessage,
  mlsWelcome,
  mustOpen,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumingClient } from '../helpers/resuming-client';
import {
  makeContacts,
  type RealtimeStack,
  range,
  readStream,
  sendMessage,
  startRealtime,
} from '../helpers/stack';

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

  it('three devices of one user (three sockets, own cursors) each get every MLS item once, in order, across a realtime kill', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    // Each MLS message's header names the conversation (group id), its epoch and its content type.
    const conversation = expectStatus<{ conversation_id: string }>(
      await rt.api.get(`/messages/mls/epoch/${bob.id}`, { token: alice.token }),
      200,
    ).conversation_id;
    const devices = [0, 1, 2].map(() => new ResumingClient(rt.stack.gatewayUrl, bob));
    const aliceDevice = new ResumingClient(rt.stack.gatewayUrl, alice);
    for (const d of [...devices, aliceDevice]) await d.connect();
    // Application messages both ways; every 8th send is a commit (alternating sides) with its Welcome.
    let epoch = 0;
    const SENDS = 40;
    const sending = (async () => {
      for (let i = 1; i <= SENDS; i++) {
        const from = i % 2 ? alice : bob;
        const commit = i % 8 === 0;
        const body = {
          recipient_id: (from === alice ? bob : alice).id,
          client_msg_id: randomUUID(),
          kind: commit ? 'commit' : 'application',
          epoch,
          message: mlsPrivateMessage(conversation, epoch, commit ? 'commit' : 'application', 96).toString(
            'base64',
          ),
          ...(commit ? { welcome: mlsWelcome().toString('base64') } : {}),
        };
        expectStatus(await rt.api.post('/messages/mls', { token: from.token, body }), 201);
        if (commit) epoch++;
      }
    })();
    const total = SENDS + SENDS / 8;
    // One device drops and comes back on its own while the others stay: the cursors now differ.
    await devices[2]?.waitForCount(5);
    devices[2]?.drop();
    await devices[0]?.waitForCount(15);
    const realtime = rt.stack.get('realtime');
    await realtime.kill('SIGKILL');
    for (const d of [devices[0], devices[1], aliceDevice]) await d?.socket?.waitClosed();
    await realtime.start();
    for (const d of [...devices, aliceDevice]) await d.connect();
    await sending;
    const stream = await readStream(rt.api, bob);
    expect(stream.map((m) => m.cursor)).toEqual(range(1, total));
    const kinds = stream.map((m) => (m.mls as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'welcome')).toHaveLength(SENDS / 8);
    for (const d of [...devices, aliceDevice]) {
      await d.waitForCount(total);
      expect(d.received).toEqual(range(1, total));
      for (const f of d.frames) ZMessage.parse(ZServerFrameSchema.parse(f).data);
      expect(d.frames.map((f) => (f.data.mls as { kind: string }).kind)).toEqual(kinds);
      d.drop();
    }
    expect(devices.map((d) => d.frames.map((f) => f.data.id))).toEqual(
      devices.map(() => stream.map((m) => m.id)),
    );
  });
});
