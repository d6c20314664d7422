/**
 * F2: the message service dies between commit and reply. A fault proxy
 * between the gateway and message-service holds every chunk for a while, so
 * a send commits while its reply is still on the way; the recipient's socket
 * (realtime is told straight by message-service, not through the proxy)
 * proves the commit happened. Then the reply is lost — the process SIGKILLed,
 * or the connection reset — and the client gets a clean 502. Its retry with
 * the same client_msg_id gets the original answer; exactly one message is
 * stored and delivered.
 */
import {
  type Client,
  enginesUnderTest,
  eventually,
  type FaultProxy,
  type HttpResult,
  makeContacts,
  noteOf,
  readStream,
  type SendAnswer,
  sendMessage,
  startFaultProxy,
  type TestSocket,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError } from '../../src/clean-errors';
import { envelopeTo } from '../../src/envelope';
import { type FullStack, startFullStack } from '../../src/full-stack';
import { ResumingClient } from '../../src/resuming-client';
import { committedCursors } from '../../src/traffic';

/** Long enough to see the commit on the recipient's socket and cut the reply off first. */
const REPLY_DELAY_MS = 2_000;

const framesWithNote = (socket: TestSocket, note: string) =>
  socket.ofType('new_message').filter((f) => noteOf(f.data) === note);

/** Posts the same send until the service is back; every answer before that must be a clean 503. */
const retryUntilAnswered = (api: Client, token: string, body: object) =>
  eventually(async () => {
    const res = await api.post<SendAnswer>('/messages/send', { token, body });
    if (res.status !== 503) return res;
    expectCleanError(res, [503]);
    return undefined;
  }, 30_000);

describe.each(enginesUnderTest())('[F2] message service lost between commit and reply (%s)', (engine) => {
  let full: FullStack;
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy();
    full = await startFullStack(engine, { via: { gateway: { messages: proxy } } });
  });
  afterAll(async () => {
    await full?.stack.stop();
    await proxy?.close();
  });

  const ways: Array<{ way: string; cut: () => Promise<void>; heal: () => Promise<void> }> = [
    {
      way: 'message-service SIGKILLed',
      cut: () => full.stack.get('messages').kill('SIGKILL'),
      heal: async () => {
        await proxy.mode('pass');
        await full.stack.get('messages').start();
      },
    },
    {
      way: 'gateway↔message-service connection reset',
      cut: () => proxy.mode('reset'),
      heal: () => proxy.mode('pass'),
    },
  ];

  it.each(ways)(
    '[F2] $way after the commit: 502, then the retry with the same client_msg_id gets the original answer; one message stored, delivered once',
    async ({ cut, heal }) => {
      const [alice, bob] = [await full.user('f2a'), await full.user('f2b')];
      await makeContacts(full.api, alice, bob);
      const bobClient = new ResumingClient(full.stack.gatewayUrl, bob);
      const socket = await bobClient.connect();
      const body = envelopeTo(bob);
      const note = noteOf(body);

      await proxy.mode('delay', { delayMs: REPLY_DELAY_MS });
      const firstTry: Promise<HttpResult<SendAnswer>> = full.api.post('/messages/send', {
        token: alice.token,
        body,
        timeoutMs: 30_000,
      });
      // Committed: the recipient has it, while the sender's reply is still held in the proxy.
      await socket.waitFor((s) => framesWithNote(s, note).length === 1, 10_000, 'the committed message');
      await cut();
      expectCleanError(await firstTry, [502]);
      await heal();

      const retry = await retryUntilAnswered(full.api, alice.token, body);
      expect(retry.status).toBe(201);
      const [delivered] = framesWithNote(socket, note);
      expect(retry.json.message_id).toBe(delivered?.data.id);

      // One stored, and no second copy delivered: the recipient's frames are its stream, once each.
      const stored = (await readStream(full.api, bob)).filter((m) => m.client_msg_id === body.client_msg_id);
      expect(stored.map((m) => m.id)).toEqual([retry.json.message_id]);
      await sendMessage(full.api, alice, bob);
      const committed = await committedCursors(full.api, bob);
      expect(committed).toHaveLength(2);
      await bobClient.waitForCount(2);
      expect(bobClient.received()).toEqual(committed);
      expect(framesWithNote(socket, note)).toHaveLength(1);
      bobClient.closeAll();
    },
  );
});
