/**
 * Live delivery through the gateway, on every engine: messages, requests,
 * receipts, typing and presence reach the right sockets and nobody else's.
 */
import { enginesUnderTest, mustOpen, type TestSocket, type TestUser } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeContacts,
  noteOf,
  type RealtimeStack,
  readStream,
  sendMessage,
  startRealtime,
} from '../helpers/stack';

describe.each(enginesUnderTest())('live delivery through the gateway (%s)', (engine) => {
  let rt: RealtimeStack;
  const sockets: TestSocket[] = [];
  const open = async (user: TestUser, opts: Parameters<typeof mustOpen>[1] = {}) => {
    const s = await mustOpen(rt.stack.gatewayUrl, { token: user.token, ...opts });
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    rt = await startRealtime(engine);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await rt?.stack.stop();
  });

  it("delivers a message live to the recipient and the sender's other socket, exactly as GET /messages has it", async () => {
    const [alice, bob, carol] = [await rt.user(), await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    const bobSocket = await open(bob, { viaProtocol: true });
    const aliceOther = await open(alice);
    const carolSocket = await open(carol);
    expect(bobSocket.ws.protocol).toBe('lockbox.v1');

    const sent = await sendMessage(rt.api, alice, bob, 'hello bob');
    await bobSocket.waitFor((s) => s.cursors().length === 1);
    await aliceOther.waitFor((s) => s.cursors().length === 1);

    const [bobView] = await readStream(rt.api, bob);
    const [aliceView] = await readStream(rt.api, alice);
    expect(bobSocket.ofType('new_message')[0]).toEqual({ type: 'new_message', data: bobView });
    expect(aliceOther.ofType('new_message')[0]).toEqual({ type: 'new_message', data: aliceView });
    expect(noteOf(bobView as { encrypted_blob?: unknown })).toBe('hello bob');
    expect(aliceView?.cursor).toBe(sent.cursor);
    expect(carolSocket.ofType('new_message')).toEqual([]);
  });

  it('chat requests, their acceptance and read receipts arrive live, to the right person only', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    const requestId = await makeContacts(rt.api, alice, bob);
    await bobSocket.waitFor((s) => s.ofType('chat_request').length === 1);
    await aliceSocket.waitFor((s) => s.ofType('chat_request_accepted').length === 1);
    expect(bobSocket.ofType('chat_request')[0]?.data).toMatchObject({
      id: requestId,
      from_user_id: alice.id,
      to_user_id: bob.id,
      status: 'pending',
    });
    expect(aliceSocket.ofType('chat_request_accepted')[0]?.data).toMatchObject({
      id: requestId,
      status: 'accepted',
    });
    expect(aliceSocket.ofType('chat_request')).toEqual([]);

    const sent = await sendMessage(rt.api, alice, bob);
    await bobSocket.waitFor((s) => s.cursors().length === 1);
    const read = await rt.api.post('/messages/read', {
      token: bob.token,
      body: { contact_id: alice.id, up_to: sent.seq },
    });
    expect(read.status).toBe(200);
    await aliceSocket.waitFor((s) => s.ofType('receipt').length === 1);
    expect(aliceSocket.ofType('receipt')[0]?.data).toMatchObject({ reader_id: bob.id, up_to: sent.seq });
    expect(bobSocket.ofType('receipt')).toEqual([]);
  });

  it('typing and presence go to contacts only', async () => {
    const [alice, bob, mallory] = [await rt.user(), await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    const aliceSocket = await open(alice);
    const mallorySocket = await open(mallory);
    const bobSocket = await open(bob);
    // Bob connecting: Alice (a contact) sees him online; Bob is told Alice is online.
    await aliceSocket.waitFor((s) =>
      s.ofType('presence').some((f) => f.data.user_id === bob.id && f.data.status === 'online'),
    );
    await bobSocket.waitFor((s) =>
      s.ofType('presence').some((f) => f.data.user_id === alice.id && f.data.status === 'online'),
    );

    bobSocket.send({ type: 'typing', data: { to: alice.id } });
    await aliceSocket.waitFor((s) => s.ofType('typing').length === 1);
    expect(aliceSocket.ofType('typing')[0]).toEqual({ type: 'typing', data: { from: bob.id, typing: true } });

    mallorySocket.send({ type: 'typing', data: { to: alice.id } });
    await mallorySocket.waitFor((s) => s.ofType('error').length === 1);
    expect(mallorySocket.ofType('error')[0]?.data.code).toBe('forbidden');

    bobSocket.close();
    await aliceSocket.waitFor((s) =>
      s.ofType('presence').some((f) => f.data.user_id === bob.id && f.data.status === 'offline'),
    );
    // Mallory is nobody's contact: she heard nothing about anyone.
    expect(mallorySocket.ofType('presence')).toEqual([]);
    expect(mallorySocket.ofType('typing')).toEqual([]);
    expect(aliceSocket.ofType('typing')).toHaveLength(1);
  });

  it('becoming contacts tells both open sockets that the other is online, without reconnecting', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    expect(aliceSocket.ofType('presence')).toEqual([]);
    await makeContacts(rt.api, alice, bob);
    await aliceSocket.waitFor((s) => s.ofType('presence').some((f) => f.data.user_id === bob.id));
    await bobSocket.waitFor((s) => s.ofType('presence').some((f) => f.data.user_id === alice.id));
    expect(aliceSocket.ofType('presence')[0]?.data).toEqual({ user_id: bob.id, status: 'online' });
    expect(bobSocket.ofType('presence')[0]?.data).toEqual({ user_id: alice.id, status: 'online' });
  });

  it("the original /ws/{user_id} path works with the token's own id", async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    const bobSocket = await open(bob, { pathUserId: bob.id });
    await sendMessage(rt.api, alice, bob);
    await bobSocket.waitFor((s) => s.cursors().length === 1);
  });

  it("logout closes that session's sockets with 4001, and its token cannot open another", async () => {
    const alice = await rt.user();
    const socket = await open(alice, { viaProtocol: true });
    expect((await rt.api.post('/auth/logout', { token: alice.token })).status).toBe(204);
    expect((await socket.waitClosed()).code).toBe(4001);
    const again = await mustOpen(rt.stack.gatewayUrl, { token: alice.token }).catch((err: Error) => err);
    expect(String(again)).toMatch(/refused: 401/);
  });
});
