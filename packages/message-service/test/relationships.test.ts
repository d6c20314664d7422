/**
 * Chat requests, contacts and blocks through the gateway, on every engine:
 * each row of API.md "Relationships" plus its authorization cases
 * (RELIABILITY.md Authorization 3, 4).
 */
import { type Engine, enginesUnderTest, expectStatus, type TestUser } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, envelope, type MessagingStack, startMessaging } from './helpers/messaging';

const ID = /^req_[0-9a-z]{26}$/;
const REQUEST_LIMIT = 8;

interface ChatRequest {
  id: string;
  from_user_id: string;
  to_user_id: string;
  status: string;
  message: string | null;
  sealed_message: { encrypted_blob: string; signature: string } | null;
  created_at: string;
  responded_at: string | null;
}

describe.each(enginesUnderTest())('relationships on %s', (engine: Engine) => {
  let m: MessagingStack;
  beforeAll(async () => {
    m = await startMessaging(engine, {
      serviceEnv: { messages: { RL_CHAT_REQUESTS_PER_USER: String(REQUEST_LIMIT) } },
    });
  });
  afterAll(async () => {
    await m?.stack.stop();
  });

  /** `from` asks `to` (by id). */
  const ask = (from: TestUser, to: TestUser) =>
    m.api.post<ChatRequest>('/chat-requests/send', { token: from.token, body: { to_user_id: to.id } });
  /** `who` answers a request. */
  const respond = (who: TestUser, requestId: string, action: string) =>
    m.api.post<ChatRequest>('/chat-requests/respond', {
      token: who.token,
      body: { request_id: requestId, action },
    });

  describe('POST /chat-requests/send', () => {
    it('by user id: 201 with the pending request', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const res = await m.api.post<ChatRequest>('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id, message: 'hello from a' },
      });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({
        id: expect.stringMatching(ID),
        from_user_id: a.id,
        to_user_id: b.id,
        status: 'pending',
        message: 'hello from a',
        sealed_message: null,
        created_at: expect.any(String),
        responded_at: null,
      });
      expect(Number.isNaN(Date.parse(res.json.created_at))).toBe(false);
    });

    it('by username, case-insensitively; the note is optional', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const res = await m.api.post<ChatRequest>('/chat-requests/send', {
        token: a.token,
        body: { to_username: b.username.toUpperCase() },
      });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({
        from_user_id: a.id,
        to_user_id: b.id,
        status: 'pending',
        message: null,
      });
    });

    it('refuses bad bodies with 400: both or neither target, a long note, unknown keys', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const bodies: unknown[] = [
        {},
        { to_user_id: b.id, to_username: b.username },
        { to_user_id: b.id, message: 'x'.repeat(281) },
        { to_user_id: b.id, from_user_id: b.id },
        { to_user_id: 'usr_not-an-id' },
        { to_user_id: [b.id] },
        { to_username: 'x'.repeat(10_000) },
      ];
      for (const body of bodies) {
        const res = await m.api.post('/chat-requests/send', { token: a.token, body });
        expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      }
      const outgoing = await m.api.get<ChatRequest[]>('/chat-requests/outgoing', { token: a.token });
      expect(outgoing.json).toEqual([]);
    });

    it('404 for an unknown user, 400 to yourself', async () => {
      const a = await m.user();
      expect(
        (
          await m.api.post('/chat-requests/send', {
            token: a.token,
            body: { to_user_id: 'usr_0000000000000000000000000a' },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await m.api.post('/chat-requests/send', {
            token: a.token,
            body: { to_username: 'nobody_here_at_all' },
          })
        ).status,
      ).toBe(404);
      expect((await ask(a, a)).status).toBe(400);
      expect(
        (await m.api.post('/chat-requests/send', { token: a.token, body: { to_username: a.username } }))
          .status,
      ).toBe(400);
    });

    it('409 for a duplicate pending request, and for someone who is already a contact', async () => {
      const [a, b] = [await m.user(), await m.user()];
      expectStatus(await ask(a, b), 201);
      const again = await ask(a, b);
      expect(again.status).toBe(409);
      const [c, d] = [await m.user(), await m.user()];
      await connect(m.api, c, d);
      expect((await ask(c, d)).status).toBe(409);
      expect((await ask(d, c)).status).toBe(409);
    });

    it('asking someone who already asked you connects you (their request is accepted)', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const first = expectStatus<ChatRequest>(await ask(a, b), 201);
      const back = await ask(b, a);
      expect(back.status).toBe(201);
      expect(back.json).toMatchObject({
        id: first.id,
        from_user_id: a.id,
        to_user_id: b.id,
        status: 'accepted',
      });
      const contactsOfA = await m.api.get<Array<{ id: string }>>('/contacts', { token: a.token });
      const contactsOfB = await m.api.get<Array<{ id: string }>>('/contacts', { token: b.token });
      expect(contactsOfA.json.map((c) => c.id)).toEqual([b.id]);
      expect(contactsOfB.json.map((c) => c.id)).toEqual([a.id]);
    });

    it('two users asking each other at the same moment end up as contacts, with no request left pending', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const [x, y] = await Promise.all([ask(a, b), ask(b, a)]);
      expect([x.status, y.status]).toEqual([201, 201]);
      expect([x.json.status, y.json.status].sort()).toEqual(['accepted', 'pending']);
      expect((await m.api.get<unknown[]>('/chat-requests/outgoing', { token: a.token })).json).toEqual([]);
      expect((await m.api.get<unknown[]>('/chat-requests/outgoing', { token: b.token })).json).toEqual([]);
      expect(
        (await m.api.get<Array<{ id: string }>>('/contacts', { token: a.token })).json.map((c) => c.id),
      ).toEqual([b.id]);
    });

    it(`rate-limits one sender after ${REQUEST_LIMIT} attempts: 429 with Retry-After`, async () => {
      const a = await m.user();
      const b = await m.user();
      const statuses: number[] = [];
      let limited: { status: number; headers: Record<string, unknown>; json: unknown } | undefined;
      for (let i = 0; i < REQUEST_LIMIT + 1; i++) {
        const res = await ask(a, b);
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses[0]).toBe(201);
      expect(statuses.slice(1, REQUEST_LIMIT)).toEqual(Array(REQUEST_LIMIT - 1).fill(409));
      expect(statuses[REQUEST_LIMIT]).toBe(429);
      expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited?.json).toMatchObject({ error: { code: 'rate_limited' } });
      // Another sender is not affected.
      const c = await m.user();
      expect((await ask(c, b)).status).toBe(201);
    });
  });

  describe('GET /chat-requests/incoming and /outgoing', () => {
    it("lists pending requests: incoming with the sender's id and username, outgoing with the recipient's", async () => {
      const [a, b, c] = [await m.user(), await m.user(), await m.user()];
      const fromA = expectStatus<ChatRequest>(
        await m.api.post('/chat-requests/send', {
          token: a.token,
          body: { to_user_id: c.id, message: 'hi c' },
        }),
        201,
      );
      const fromB = expectStatus<ChatRequest>(await ask(b, c), 201);
      const incoming = await m.api.get<Array<ChatRequest & { from_user: unknown }>>(
        '/chat-requests/incoming',
        {
          token: c.token,
        },
      );
      expect(incoming.status).toBe(200);
      // Newest first.
      expect(incoming.json).toEqual([
        { ...fromB, from_user: { id: b.id, username: b.username } },
        { ...fromA, from_user: { id: a.id, username: a.username } },
      ]);
      const outgoing = await m.api.get<Array<ChatRequest & { to_user: unknown }>>('/chat-requests/outgoing', {
        token: a.token,
      });
      expect(outgoing.json).toEqual([{ ...fromA, to_user: { id: c.id, username: c.username } }]);
      // Only pending ones: after c accepts, the lists empty.
      expectStatus(await respond(c, fromA.id, 'accept'), 200);
      expect((await m.api.get('/chat-requests/outgoing', { token: a.token })).json).toEqual([]);
      expect(
        (await m.api.get<ChatRequest[]>('/chat-requests/incoming', { token: c.token })).json.map((r) => r.id),
      ).toEqual([fromB.id]);
    });

    it('pages with limit and after (keyset), and refuses an after that is not in the list', async () => {
      const target = await m.user();
      const senders = [await m.user(), await m.user(), await m.user()];
      for (const s of senders) expectStatus(await ask(s, target), 201);
      const page1 = expectStatus<ChatRequest[]>(
        await m.api.get('/chat-requests/incoming?limit=2', { token: target.token }),
        200,
      );
      expect(page1).toHaveLength(2);
      const page2 = expectStatus<ChatRequest[]>(
        await m.api.get(`/chat-requests/incoming?limit=2&after=${page1[1]?.id}`, { token: target.token }),
        200,
      );
      expect(page2).toHaveLength(1);
      expect(new Set([...page1, ...page2].map((r) => r.from_user_id))).toEqual(
        new Set(senders.map((s) => s.id)),
      );
      const stranger = await m.user();
      expect(
        (await m.api.get(`/chat-requests/incoming?after=${page1[0]?.id}`, { token: stranger.token })).status,
      ).toBe(400);
      for (const q of ['limit=0', 'limit=101', 'limit=abc', 'after=nope', 'limit=2&limit=3', 'extra=1'])
        expect((await m.api.get(`/chat-requests/incoming?${q}`, { token: target.token })).status, q).toBe(
          400,
        );
    });
  });

  describe('POST /chat-requests/respond', () => {
    it('the recipient accepts: 200 accepted, both become contacts', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const req = expectStatus<ChatRequest>(await ask(a, b), 201);
      const res = await respond(b, req.id, 'accept');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ ...req, status: 'accepted', responded_at: expect.any(String) });
      const contacts = await m.api.get<Array<{ id: string; username: string }>>('/contacts', {
        token: b.token,
      });
      expect(contacts.json).toEqual([
        {
          id: a.id,
          username: a.username,
          since: expect.any(String),
          conversation_id: expect.any(String),
          blocked: false,
        },
      ]);
    });

    it('the recipient declines: 200 declined, no contact, and the sender may ask again', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const req = expectStatus<ChatRequest>(await ask(a, b), 201);
      const res = await respond(b, req.id, 'decline');
      expect(res.status).toBe(200);
      expect(res.json.status).toBe('declined');
      expect((await m.api.get('/contacts', { token: a.token })).json).toEqual([]);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(b.id) })).status).toBe(403);
      expect((await ask(a, b)).status).toBe(201);
    });

    it("403 for the sender or a third party answering; 404 for an unknown id; 409 once it's settled", async () => {
      const [a, b, c] = [await m.user(), await m.user(), await m.user()];
      const req = expectStatus<ChatRequest>(await ask(a, b), 201);
      for (const who of [a, c])
        for (const action of ['accept', 'decline']) {
          const res = await respond(who, req.id, action);
          expect(res.status).toBe(403);
        }
      expect((await m.api.get('/contacts', { token: c.token })).json).toEqual([]);
      expect(
        (
          await m.api.post('/chat-requests/respond', {
            token: b.token,
            body: { request_id: 'req_0000000000000000000000000a', action: 'accept' },
          })
        ).status,
      ).toBe(404);
      for (const body of [
        { request_id: req.id, action: 'maybe' },
        { request_id: 'nope', action: 'accept' },
        { request_id: req.id },
      ])
        expect((await m.api.post('/chat-requests/respond', { token: b.token, body })).status).toBe(400);
      expectStatus(await respond(b, req.id, 'decline'), 200);
      expect((await respond(b, req.id, 'accept')).status).toBe(409);
    });
  });

  describe('POST /chat-requests/{id}/cancel', () => {
    it('only the sender cancels: 200 cancelled; recipient or stranger 403; then it cannot be accepted', async () => {
      const [a, b, c] = [await m.user(), await m.user(), await m.user()];
      const req = expectStatus<ChatRequest>(await ask(a, b), 201);
      expect((await m.api.post(`/chat-requests/${req.id}/cancel`, { token: b.token })).status).toBe(403);
      expect((await m.api.post(`/chat-requests/${req.id}/cancel`, { token: c.token })).status).toBe(403);
      const res = await m.api.post<ChatRequest>(`/chat-requests/${req.id}/cancel`, { token: a.token });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: req.id, status: 'cancelled' });
      expect((await m.api.get('/chat-requests/incoming', { token: b.token })).json).toEqual([]);
      expect((await respond(b, req.id, 'accept')).status).toBe(409);
      expect((await m.api.post(`/chat-requests/${req.id}/cancel`, { token: a.token })).status).toBe(409);
      expect(
        (await m.api.post('/chat-requests/req_0000000000000000000000000a/cancel', { token: a.token })).status,
      ).toBe(404);
      for (const bad of ['nope', '..%2F..%2Fauth', '%00', 'usr_0000000000000000000000000a'])
        expect([400, 404], bad).toContain(
          (await m.api.post(`/chat-requests/${bad}/cancel`, { token: a.token })).status,
        );
    });
  });

  describe('GET /contacts', () => {
    it('lists accepted requests as {id, username, since}, oldest first, paginated', async () => {
      const me = await m.user();
      const others = [await m.user(), await m.user(), await m.user()];
      for (const o of others) await connect(m.api, me, o);
      const all = expectStatus<Array<{ id: string; username: string; since: string }>>(
        await m.api.get('/contacts', { token: me.token }),
        200,
      );
      expect(all.map((c) => c.id)).toEqual(others.map((o) => o.id));
      expect(all.map((c) => c.username)).toEqual(others.map((o) => o.username));
      const page1 = expectStatus<Array<{ id: string }>>(
        await m.api.get('/contacts?limit=2', { token: me.token }),
        200,
      );
      const page2 = expectStatus<Array<{ id: string }>>(
        await m.api.get(`/contacts?limit=2&after=${page1[1]?.id}`, { token: me.token }),
        200,
      );
      expect([...page1, ...page2].map((c) => c.id)).toEqual(others.map((o) => o.id));
      expect((await m.api.get(`/contacts?after=${me.id}`, { token: me.token })).status).toBe(400);
    });
  });

  describe('POST /contacts/{user_id}/block and /unblock', () => {
    it('a block stops requests both ways with 403 and hides a pending request; unblock restores', async () => {
      const [a, b] = [await m.user(), await m.user()];
      const pending = expectStatus<ChatRequest>(await ask(a, b), 201);
      const blocked = await m.api.post(`/contacts/${a.id}/block`, { token: b.token });
      expect(blocked.status).toBe(200);
      expect(blocked.json).toEqual({ user_id: a.id, blocked: true });
      // Idempotent.
      expect((await m.api.post(`/contacts/${a.id}/block`, { token: b.token })).status).toBe(200);
      expect((await m.api.get('/chat-requests/incoming', { token: b.token })).json).toEqual([]);
      expect((await respond(b, pending.id, 'accept')).status).toBe(403);
      expectStatus(await m.api.post(`/chat-requests/${pending.id}/cancel`, { token: a.token }), 200);
      // The blocked user cannot ask; the message says nothing about a block.
      const refused = await m.api.post<{ error: { message: string } }>('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id },
      });
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).not.toMatch(/block/i);
      // Nor can the blocker.
      expect((await ask(b, a)).status).toBe(403);
      expect(
        (await m.api.get<Array<{ id: string }>>('/contacts/blocked', { token: b.token })).json.map(
          (u) => u.id,
        ),
      ).toEqual([a.id]);

      const lifted = await m.api.post(`/contacts/${a.id}/unblock`, { token: b.token });
      expect(lifted.status).toBe(200);
      expect(lifted.json).toEqual({ user_id: a.id, blocked: false });
      expect((await m.api.get('/contacts/blocked', { token: b.token })).json).toEqual([]);
      expect((await ask(a, b)).status).toBe(201);
    });

    it('a contact can be blocked: listed as blocked, messages refused both ways until unblocked', async () => {
      const [a, b] = [await m.user(), await m.user()];
      await connect(m.api, a, b);
      expectStatus(await m.api.post(`/contacts/${b.id}/block`, { token: a.token }), 200);
      expect(
        (await m.api.get<Array<{ blocked: boolean }>>('/contacts', { token: a.token })).json,
      ).toMatchObject([{ id: b.id, blocked: true }]);
      expect(
        (await m.api.get<Array<{ blocked: boolean }>>('/contacts', { token: b.token })).json,
      ).toMatchObject([{ id: a.id, blocked: false }]);
      expect((await m.api.post('/messages/send', { token: b.token, body: envelope(a.id) })).status).toBe(403);
      expect((await m.api.post('/messages/send', { token: a.token, body: envelope(b.id) })).status).toBe(403);
      expectStatus(await m.api.post(`/contacts/${b.id}/unblock`, { token: a.token }), 200);
      expect((await m.api.post('/messages/send', { token: b.token, body: envelope(a.id) })).status).toBe(201);
    });

    it('404 for an unknown user, 400 for yourself or a malformed id', async () => {
      const a = await m.user();
      expect(
        (await m.api.post('/contacts/usr_0000000000000000000000000a/block', { token: a.token })).status,
      ).toBe(404);
      expect((await m.api.post(`/contacts/${a.id}/block`, { token: a.token })).status).toBe(400);
      expect((await m.api.post('/contacts/not-an-id/block', { token: a.token })).status).toBe(400);
    });
  });
});
