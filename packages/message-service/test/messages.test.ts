/**
 * The ciphertext store through the gateway, on every engine: send, idempotent
 * retries (sequential and concurrent), blob limits, the stream and
 * conversation pages, read receipts, and who may see what
 * (RELIABILITY.md Bad input 6 and 14, Authorization 2, 3 and 5).
 */
import { randomBytes } from 'node:crypto';
import { type Engine, enginesUnderTest, expectStatus, type TestUser } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  envelope,
  type MessagingStack,
  readStream,
  type SendAnswer,
  send,
  startMessaging,
  type WireMessage,
} from './helpers/messaging';

const BLOB_LIMIT = 4096;

interface ConversationPage {
  conversation_id: string;
  messages: WireMessage[];
  next_cursor: string | null;
  read_up_to: { mine: number; theirs: number };
}

describe.each(enginesUnderTest())('messages on %s', (engine: Engine) => {
  let m: MessagingStack;
  beforeAll(async () => {
    m = await startMessaging(engine, {
      serviceEnv: { messages: { MESSAGE_BLOB_MAX_BYTES: String(BLOB_LIMIT) } },
    });
  });
  afterAll(async () => {
    await m?.stack.stop();
  });

  const pair = async (): Promise<[TestUser, TestUser, string]> => {
    const [a, b] = [await m.user(), await m.user()];
    return [a, b, await connect(m.api, a, b)];
  };

  describe('POST /messages/send', () => {
    it('stores an envelope for a contact: 201 {message_id, conversation_id, seq, cursor, created_at}', async () => {
      const [a, b, conversationId] = await pair();
      const env = { ...envelope(b.id), sender_public_key: randomBytes(32).toString('base64') };
      const res = await m.api.post<SendAnswer>('/messages/send', { token: a.token, body: env });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({
        message_id: expect.stringMatching(/^msg_[0-9a-z]{26}$/),
        conversation_id: conversationId,
        seq: 1,
        cursor: '1',
        created_at: expect.any(String),
      });
      const second = await send(m.api, b, envelope(a.id));
      expect(second).toMatchObject({ conversation_id: conversationId, seq: 2, cursor: '2' });
      // The recipient reads exactly what was sent, with its own cursor.
      const [first] = await readStream(m.api, b);
      expect(first).toEqual({
        id: res.json.message_id,
        conversation_id: conversationId,
        seq: 1,
        cursor: '1',
        sender_id: a.id,
        recipient_id: b.id,
        client_msg_id: env.client_msg_id,
        encrypted_blob: env.encrypted_blob,
        signature: env.signature,
        sender_public_key: env.sender_public_key,
        created_at: res.json.created_at,
      });
    });

    it('403 to a non-contact, to someone whose request is still pending, to an unknown user; 400 to yourself', async () => {
      const [a, b, c] = [await m.user(), await m.user(), await m.user()];
      expectStatus(
        await m.api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } }),
        201,
      );
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(b.id) })).status).toBe(403);
      expect((await m.api.post('/messages/send', { token: b.token, body: envelope(a.id) })).status).toBe(403);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(c.id) })).status).toBe(403);
      expect(
        (
          await m.api.post('/messages/send', {
            token: a.token,
            body: envelope('usr_0000000000000000000000000a'),
          })
        ).status,
      ).toBe(403);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(a.id) })).status).toBe(400);
      expect(await readStream(m.api, b)).toEqual([]);
    });

    it('403 when the recipient blocked the sender, and the other way round', async () => {
      const [a, b] = await pair();
      expectStatus(await m.api.post(`/contacts/${a.id}/block`, { token: b.token }), 200);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(b.id) })).status).toBe(403);
      expect((await m.api.post('/messages/send', { token: b.token, body: envelope(a.id) })).status).toBe(403);
      expect(await readStream(m.api, b)).toEqual([]);
    });

    it('identity comes from the token only: a sender_id (or any unknown key) in the body is refused, nothing stored', async () => {
      const [a, b] = await pair();
      const c = await m.user();
      for (const extra of [
        { sender_id: c.id },
        { sender_id: a.id },
        { user_id: c.id },
        { conversation_id: 'x' },
      ]) {
        const res = await m.api.post('/messages/send', {
          token: a.token,
          body: { ...envelope(b.id), ...extra },
        });
        expect(res.status, JSON.stringify(extra)).toBe(400);
      }
      const proto = await m.api.post('/messages/send', {
        token: a.token,
        body: `{"recipient_id":"${b.id}","client_msg_id":"p1","encrypted_blob":"AAAA","signature":"AAAA","__proto__":{"x":1}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(proto.status).toBe(400);
      expect(await readStream(m.api, b)).toEqual([]);
    });

    it(`blob limit (${BLOB_LIMIT} bytes here): at the limit 201, one byte over 413, far over the body limit 413`, async () => {
      const [a, b] = await pair();
      expect(
        (await m.api.post('/messages/send', { token: a.token, body: envelope(b.id, BLOB_LIMIT) })).status,
      ).toBe(201);
      const over = await m.api.post('/messages/send', {
        token: a.token,
        body: envelope(b.id, BLOB_LIMIT + 1),
      });
      expect(over.status).toBe(413);
      expect(over.json).toMatchObject({ error: { code: 'payload_too_large' } });
      const huge = await m.api.post('/messages/send', {
        token: a.token,
        body: envelope(b.id, 2 * 1024 * 1024),
      });
      expect(huge.status).toBe(413);
      expect(await readStream(m.api, b)).toHaveLength(1);
    });

    it('400 for non-base64, unpadded or empty blobs and signatures, bad client_msg_id, wrong types', async () => {
      const [a, b] = await pair();
      const base = envelope(b.id);
      const bad: Array<Record<string, unknown>> = [
        { encrypted_blob: 'not base64!' },
        { encrypted_blob: 'AAA' },
        { encrypted_blob: 'AA==AA==' },
        { encrypted_blob: '' },
        { encrypted_blob: 12345 },
        { encrypted_blob: null },
        { signature: '%%%%' },
        { signature: 'A'.repeat(6000) },
        { sender_public_key: 'é' },
        { client_msg_id: '' },
        { client_msg_id: 'x'.repeat(65) },
        { client_msg_id: 'has space' },
        { client_msg_id: 7 },
        { recipient_id: 1e308 },
        { recipient_id: [b.id] },
        { recipient_id: null },
      ];
      for (const patch of bad) {
        const res = await m.api.post('/messages/send', { token: a.token, body: { ...base, ...patch } });
        expect(res.status, JSON.stringify(patch).slice(0, 60)).toBe(400);
      }
      const { encrypted_blob: _omit, ...missing } = base;
      expect((await m.api.post('/messages/send', { token: a.token, body: missing })).status).toBe(400);
      expect(await readStream(m.api, b)).toEqual([]);
    });
  });

  describe('client_msg_id idempotency', () => {
    it('a retry, even with different content, gets the original answer (201) and stores nothing new', async () => {
      const [a, b] = await pair();
      const original = envelope(b.id);
      const first = await send(m.api, a, original);
      const retry = await m.api.post<SendAnswer>('/messages/send', {
        token: a.token,
        body: { ...envelope(b.id), client_msg_id: original.client_msg_id },
      });
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first);
      const stream = await readStream(m.api, b);
      expect(stream).toHaveLength(1);
      expect(stream[0]?.encrypted_blob).toBe(original.encrypted_blob);
      // The next message takes the next seq and cursor: the retry used none.
      expect(await send(m.api, a, envelope(b.id))).toMatchObject({ seq: 2, cursor: '2' });
    });

    it('ten concurrent sends with one client_msg_id store one message and all get its answer', async () => {
      const [a, b] = await pair();
      const clientMsgId = envelope(b.id).client_msg_id;
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          m.api.post<SendAnswer>('/messages/send', {
            token: a.token,
            body: { ...envelope(b.id), client_msg_id: clientMsgId },
          }),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(answers.map((r) => JSON.stringify(r.json))).size).toBe(1);
      const stream = await readStream(m.api, b);
      expect(stream.map((msg) => msg.id)).toEqual([answers[0]?.json.message_id]);
    });

    it('a retry after the two stopped being able to talk still gets the original answer', async () => {
      const [a, b] = await pair();
      const env = envelope(b.id);
      const first = await send(m.api, a, env);
      expectStatus(await m.api.post(`/contacts/${a.id}/block`, { token: b.token }), 200);
      const retry = await m.api.post('/messages/send', { token: a.token, body: env });
      expect(retry.status).toBe(201);
      expect(retry.json).toEqual(first);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(b.id) })).status).toBe(403);
    });

    it('client_msg_id is scoped per sender: the same id from two senders is two messages', async () => {
      const [a, b] = await pair();
      const env = envelope(b.id);
      const fromA = await send(m.api, a, env);
      const fromB = await send(m.api, b, { ...envelope(a.id), client_msg_id: env.client_msg_id });
      expect(fromB.message_id).not.toBe(fromA.message_id);
      expect(await readStream(m.api, a)).toHaveLength(2);
    });
  });

  describe('GET /messages?after=', () => {
    it('my messages, sent and received, across conversations, oldest first, with next_cursor', async () => {
      const [a, b] = await pair();
      const c = await m.user();
      await connect(m.api, a, c);
      const sent = [
        await send(m.api, a, envelope(b.id)),
        await send(m.api, c, envelope(a.id)),
        await send(m.api, b, envelope(a.id)),
        await send(m.api, a, envelope(c.id)),
      ];
      const page = expectStatus<{ messages: WireMessage[]; next_cursor: string; has_more: boolean }>(
        await m.api.get('/messages', { token: a.token }),
        200,
      );
      expect(page.messages.map((x) => x.id)).toEqual(sent.map((s) => s.message_id));
      expect(page.messages.map((x) => x.cursor)).toEqual(['1', '2', '3', '4']);
      expect(page).toMatchObject({ next_cursor: '4', has_more: false });
      // Pages of two.
      const p1 = expectStatus<{ messages: WireMessage[]; next_cursor: string; has_more: boolean }>(
        await m.api.get('/messages?limit=2', { token: a.token }),
        200,
      );
      expect(p1).toMatchObject({ next_cursor: '2', has_more: true });
      const p2 = expectStatus<{ messages: WireMessage[]; next_cursor: string; has_more: boolean }>(
        await m.api.get(`/messages?after=${p1.next_cursor}&limit=2`, { token: a.token }),
        200,
      );
      expect(p2.messages.map((x) => x.cursor)).toEqual(['3', '4']);
      const p3 = expectStatus<{ messages: WireMessage[]; next_cursor: string; has_more: boolean }>(
        await m.api.get('/messages?after=4', { token: a.token }),
        200,
      );
      expect(p3).toEqual({ messages: [], next_cursor: '4', has_more: false });
      // Each viewer has its own cursors; c sees only its own conversation.
      expect((await readStream(m.api, c)).map((x) => x.cursor)).toEqual(['1', '2']);
      expect((await readStream(m.api, b)).map((x) => x.id)).toEqual([
        sent[0]?.message_id,
        sent[2]?.message_id,
      ]);
    });

    it('400 for cursors that are not ours: negative, decimal, leading zeros, huge, words', async () => {
      const a = await m.user();
      for (const after of ['-1', '1.5', '01', '1e3', '99999999999999999999', 'abc', '', '0x10', '%00'])
        expect((await m.api.get(`/messages?after=${after}`, { token: a.token })).status, after).toBe(400);
      for (const limit of ['0', '501', 'NaN'])
        expect((await m.api.get(`/messages?limit=${limit}`, { token: a.token })).status, limit).toBe(400);
    });
  });

  describe('GET /messages/conversation/{contact_id}?before=', () => {
    it('newest page first, each page oldest-first, with a cursor for the next (older) page', async () => {
      const [a, b, conversationId] = await pair();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await send(m.api, i % 2 ? b : a, envelope(i % 2 ? a.id : b.id))).message_id);
      const pages: ConversationPage[] = [];
      let before: string | null = '';
      while (before !== null) {
        const q: string = before ? `?limit=2&before=${before}` : '?limit=2';
        const page: ConversationPage = expectStatus<ConversationPage>(
          await m.api.get(`/messages/conversation/${b.id}${q}`, { token: a.token }),
          200,
        );
        pages.push(page);
        before = page.next_cursor;
      }
      expect(pages.map((p) => p.messages.map((x) => x.seq))).toEqual([[4, 5], [2, 3], [1]]);
      expect(pages.flatMap((p) => p.messages.map((x) => x.id)).sort()).toEqual([...ids].sort());
      expect(pages.every((p) => p.conversation_id === conversationId)).toBe(true);
      // The viewer's own cursors: b sees the same messages with b's cursors.
      const fromB = expectStatus<ConversationPage>(
        await m.api.get(`/messages/conversation/${a.id}`, { token: b.token }),
        200,
      );
      expect(fromB.messages.map((x) => x.id)).toEqual(ids);
      expect(fromB.next_cursor).toBeNull();
    });

    it('404 for someone who is not your contact: no peeking into other conversations', async () => {
      const [a, b] = await pair();
      await send(m.api, a, envelope(b.id));
      const c = await m.user();
      expect((await m.api.get(`/messages/conversation/${a.id}`, { token: c.token })).status).toBe(404);
      expect((await m.api.get(`/messages/conversation/${b.id}`, { token: c.token })).status).toBe(404);
      expect(await readStream(m.api, c)).toEqual([]);
      for (const bad of ['not-an-id', '..%2Fmessages', 'usr_0000000000000000000000000a?before=-1'])
        expect([400, 404], bad).toContain(
          (await m.api.get(`/messages/conversation/${bad}`, { token: c.token })).status,
        );
    });
  });

  describe('POST /messages/read', () => {
    it('stores a read receipt that only moves forward; both sides see it on the conversation', async () => {
      const [a, b, conversationId] = await pair();
      await send(m.api, a, envelope(b.id));
      await send(m.api, a, envelope(b.id));
      const res = await m.api.post('/messages/read', {
        token: b.token,
        body: { contact_id: a.id, up_to: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        conversation_id: conversationId,
        reader_id: b.id,
        up_to: 2,
        read_at: expect.any(String),
      });
      const older = await m.api.post('/messages/read', {
        token: b.token,
        body: { contact_id: a.id, up_to: '1' },
      });
      expect(older.json).toMatchObject({ up_to: 2 });
      const seenByA = expectStatus<ConversationPage>(
        await m.api.get(`/messages/conversation/${b.id}`, { token: a.token }),
        200,
      );
      expect(seenByA.read_up_to).toEqual({ mine: 0, theirs: 2 });
    });

    it('400 past the last message or for a bad up_to; 404 for a non-contact', async () => {
      const [a, b] = await pair();
      await send(m.api, a, envelope(b.id));
      for (const up_to of [2, 0, -1, 1.5, '01', 'x', null])
        expect(
          (await m.api.post('/messages/read', { token: b.token, body: { contact_id: a.id, up_to } })).status,
          String(up_to),
        ).toBe(400);
      const c = await m.user();
      expect(
        (await m.api.post('/messages/read', { token: c.token, body: { contact_id: a.id, up_to: 1 } })).status,
      ).toBe(404);
    });
  });
});
