/**
 * Authorization (RELIABILITY.md A1–A7), through the gateway like a client:
 * every user route refuses bad credentials, nobody reads or writes what is
 * not theirs, identity comes from the token only, WebSockets are checked
 * before the upgrade, internal procedures stay internal. Brute force, spoofed
 * headers and enumeration are in authorization-limits.test.ts.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { WS_CLOSE } from '@lockbox/contracts';
import {
  type Client,
  client,
  enginesUnderTest,
  eventually,
  expectStatus,
  makeContacts,
  mustOpen,
  noteOf,
  openSocket,
  readStream,
  sendMessage,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadCredential, badCredentials, errorCodeOf } from '../src/bad-credentials';
import { envelopeTo } from '../src/envelope';
import { type FullStack, startFullStack } from '../src/full-stack';
import { signedKeyBundle } from '../src/key-bundle';
import { type Call, isPublicNamespace, restCalls, trpcCalls } from '../src/route-tables';

/** Our own shared secret, so a control call can present the real service credential. */
const INTERNAL_SECRET = randomBytes(32).toString('base64url');
/** service-kit's derivation (internal-auth.ts) and header. */
const INTERNAL_TOKEN = createHmac('sha256', INTERNAL_SECRET)
  .update('lockbox/internal/v1')
  .digest('base64url');
const INTERNAL_HEADER = 'x-lockbox-internal';
const CHAT_REQUESTS_PER_USER = 4;

const USER_REST = restCalls('user');
const USER_TRPC = trpcCalls('user').filter(isPublicNamespace);
const INTERNAL = trpcCalls('internal');
/** it.each rows: [label, call], one test per route so the report lists each. */
const rowsOf = (calls: Call[]) => calls.map((c) => [c.label, c] as const);
const REST_ROWS = rowsOf(USER_REST);
const TRPC_ROWS = rowsOf(USER_TRPC);
const INTERNAL_ROWS = rowsOf(INTERNAL);

const call = (api: Client, c: Call, headers: Record<string, string> = {}) =>
  api.request(c.method, c.path, { headers, ...(c.body !== undefined ? { body: c.body } : {}) });

const envelope = (to: TestUser, extra: Record<string, unknown> = {}) => ({ ...envelopeTo(to), ...extra });

/** A refusal: the status, a JSON error code, and none of the given secrets in the body. */
const expectRefused = (
  res: { status: number; text: string; json: unknown },
  statuses: number[],
  secrets: string[] = [],
) => {
  expect(statuses, res.text.slice(0, 300)).toContain(res.status);
  expect(errorCodeOf(res.json)).toMatch(/^[a-z_]+$/);
  for (const s of secrets) expect(res.text).not.toContain(s);
};

const engine = enginesUnderTest().at(-1) ?? 'pglite';

describe(`authorization on ${engine}`, () => {
  let lockbox: FullStack;
  let api: Client;
  beforeAll(async () => {
    lockbox = await startFullStack(engine, {
      env: { LOCKBOX_INTERNAL_SECRET: INTERNAL_SECRET },
      serviceEnv: { messages: { RL_CHAT_REQUESTS_PER_USER: String(CHAT_REQUESTS_PER_USER) } },
    });
    api = lockbox.api;
  });
  afterAll(() => lockbox?.stack.stop());

  describe('[A1] bad credentials on every user route', () => {
    let bad: BadCredential[];
    beforeAll(async () => {
      const [live, other, gone] = await Promise.all([lockbox.user(), lockbox.user(), lockbox.user()]);
      expectStatus(await api.post('/auth/logout', { token: gone.token }), 204);
      // The message service and realtime learn of a logout from auth's revocation feed.
      await eventually(async () =>
        (await api.get('/contacts', { token: gone.token })).status === 401 ? true : undefined,
      );
      bad = badCredentials({ live, otherUserId: other.id, loggedOutToken: gone.token });
    });

    it('[A1] the tables come from the contracts and are not empty', () => {
      const rest = USER_REST.map((c) => c.label);
      expect(rest).toEqual(
        expect.arrayContaining(['POST /messages/send', 'POST /auth/keys', 'GET /auth/me', 'GET /contacts']),
      );
      expect(rest.length).toBeGreaterThanOrEqual(20);
      expect(USER_TRPC.map((c) => c.label)).toEqual(
        expect.arrayContaining([
          'POST /trpc/messages.send',
          'POST /trpc/keys.publish',
          'POST /trpc/chatRequests.respond',
        ]),
      );
      expect(USER_TRPC.length).toBeGreaterThanOrEqual(USER_REST.length);
    });

    const refusesAll = async (c: Call) => {
      const seen: string[] = [];
      for (const { label, authorization } of bad) {
        const res = await call(api, c, authorization ? { authorization } : {});
        const code = errorCodeOf(res.json) === 'token_expired' ? 'unauthorized' : errorCodeOf(res.json);
        seen.push(`${label}: ${res.status} ${code}`);
      }
      expect(seen).toEqual(bad.map(({ label }) => `${label}: 401 unauthorized`));
    };

    it.each(REST_ROWS)('[A1] REST %s → 401', (_label, c) => refusesAll(c));
    it.each(TRPC_ROWS)('[A1] tRPC %s → 401', (_label, c) => refusesAll(c));
  });

  it('[A2] a conversation, a stream and requests that are not yours: 404/403, nothing leaked', async () => {
    const [a, b, c] = await Promise.all([lockbox.user(), lockbox.user(), lockbox.user()]);
    await makeContacts(api, a, b);
    const note = `private-${randomUUID()}`;
    const sent = await sendMessage(api, a, b, note);
    const pending = expectStatus<{ id: string }>(
      await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: c.id, message: note } }),
      201,
    );
    const secrets = [note, Buffer.from(note).toString('base64').slice(0, 24), sent.message_id, a.username];

    for (const contact of [a, b]) {
      expectRefused(
        await api.get(`/messages/conversation/${contact.id}`, { token: c.token }),
        [403, 404],
        secrets,
      );
      const input = encodeURIComponent(JSON.stringify({ contact_id: contact.id }));
      expectRefused(
        await api.get(`/trpc/messages.conversation?input=${input}`, { token: c.token }),
        [403, 404],
        secrets,
      );
      expectRefused(
        await api.post('/messages/read', {
          token: c.token,
          body: { contact_id: contact.id, up_to: sent.seq },
        }),
        [403, 404],
        secrets,
      );
    }
    // c's own views hold nothing of a and b's conversation; only the request sent to c.
    expect(await readStream(api, c)).toEqual([]);
    const incoming = expectStatus<Array<{ id: string }>>(
      await api.get('/chat-requests/incoming', { token: c.token }),
      200,
    );
    expect(incoming.map((r) => r.id)).toEqual([pending.id]);
    expect((await api.get('/chat-requests/outgoing', { token: b.token })).json).toEqual([]);
    // The owners still see theirs.
    expect((await readStream(api, b)).map((m) => noteOf({ encrypted_blob: m.encrypted_blob }))).toEqual([
      note,
    ]);
  });

  describe('[A3] sending where it is not allowed', () => {
    const expectNothingStored = async (to: TestUser, before: number) =>
      expect(await readStream(api, to)).toHaveLength(before);

    it('[A3] to a non-contact → 403, nothing stored', async () => {
      const [a, stranger] = await Promise.all([lockbox.user(), lockbox.user()]);
      const res = await api.post('/messages/send', { token: a.token, body: envelope(stranger) });
      expectRefused(res, [403]);
      await expectNothingStored(stranger, 0);
      await expectNothingStored(a, 0);
    });

    it('[A3] to someone who blocked you → 403 (messages and requests), nothing stored', async () => {
      const [a, b] = await Promise.all([lockbox.user(), lockbox.user()]);
      await makeContacts(api, a, b);
      await sendMessage(api, a, b);
      expectStatus(await api.post(`/contacts/${a.id}/block`, { token: b.token }), 200);
      expectRefused(await api.post('/messages/send', { token: a.token, body: envelope(b) }), [403]);
      expectRefused(
        await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } }),
        [403, 409],
      );
      await expectNothingStored(b, 1);
    });

    it('[A3] before the request was accepted → 403 both ways, nothing stored', async () => {
      const [a, d] = await Promise.all([lockbox.user(), lockbox.user()]);
      expectStatus(
        await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: d.id } }),
        201,
      );
      expectRefused(await api.post('/messages/send', { token: a.token, body: envelope(d) }), [403]);
      expectRefused(await api.post('/messages/send', { token: d.token, body: envelope(a) }), [403]);
      await expectNothingStored(d, 0);
      await expectNothingStored(a, 0);
    });
  });

  describe('[A4] chat requests', () => {
    it("[A4] answering or cancelling someone else's request → 403, the request unchanged", async () => {
      const [a, b, c] = await Promise.all([lockbox.user(), lockbox.user(), lockbox.user()]);
      const req = expectStatus<{ id: string; status: string }>(
        await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } }),
        201,
      );
      const respond = (who: TestUser, action: string) =>
        api.post<{ status: string }>('/chat-requests/respond', {
          token: who.token,
          body: { request_id: req.id, action },
        });
      const cancel = (who: TestUser) => api.post(`/chat-requests/${req.id}/cancel`, { token: who.token });
      const attempts = [
        ['c accepts', await respond(c, 'accept')],
        ['c declines', await respond(c, 'decline')],
        ['c cancels', await cancel(c)],
        ['a (the sender) accepts', await respond(a, 'accept')],
        ['b (the recipient) cancels', await cancel(b)],
      ] as const;
      const verdict = (status: number) => ([403, 404].includes(status) ? 'refused' : status);
      expect(attempts.map(([who, res]) => [who, verdict(res.status)])).toEqual(
        attempts.map(([who]) => [who, 'refused']),
      );
      for (const [, res] of attempts) expectRefused(res, [403, 404]);
      const incoming = expectStatus<Array<{ id: string; status: string }>>(
        await api.get('/chat-requests/incoming', { token: b.token }),
        200,
      );
      expect(incoming).toEqual([expect.objectContaining({ id: req.id, status: 'pending' })]);
      expect(await readStream(api, c)).toEqual([]);
      // Still answerable by its recipient: the refusals changed nothing.
      expect(expectStatus<{ status: string }>(await respond(b, 'accept'), 200).status).toBe('accepted');
    });

    it(`[A4] request spam: past ${CHAT_REQUESTS_PER_USER} per window → 429 with Retry-After, nothing stored`, async () => {
      const spammer = await lockbox.user();
      const targets = await Promise.all(
        Array.from({ length: CHAT_REQUESTS_PER_USER + 1 }, () => lockbox.user()),
      );
      const statuses: number[] = [];
      let last: Awaited<ReturnType<Client['post']>> | undefined;
      for (const t of targets) {
        last = await api.post('/chat-requests/send', { token: spammer.token, body: { to_user_id: t.id } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([...Array(CHAT_REQUESTS_PER_USER).fill(201), 429]);
      expect(errorCodeOf(last?.json)).toBe('rate_limited');
      expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const refusedTarget = targets.at(-1) as TestUser;
      expect((await api.get('/chat-requests/incoming', { token: refusedTarget.token })).json).toEqual([]);
    });
  });

  describe('[A5] identity from the token only', () => {
    it('[A5] sender_id / from_user_id in a body → 400; the stored sender is the token user', async () => {
      const [a, b, c] = await Promise.all([lockbox.user(), lockbox.user(), lockbox.user()]);
      await makeContacts(api, a, b);
      for (const field of ['sender_id', 'from_user_id', 'user_id']) {
        const res = await api.post('/messages/send', {
          token: a.token,
          body: envelope(b, { [field]: c.id }),
        });
        expectRefused(res, [400]);
        expect(errorCodeOf(res.json)).toBe('invalid_input');
      }
      expectRefused(
        await api.post('/chat-requests/send', {
          token: a.token,
          body: { to_user_id: c.id, from_user_id: b.id },
        }),
        [400],
      );
      expect(await readStream(api, b)).toEqual([]);
      expect((await api.get('/chat-requests/incoming', { token: c.token })).json).toEqual([]);
      await sendMessage(api, a, b);
      const [stored] = await readStream(api, b);
      expect(stored).toMatchObject({ sender_id: a.id, recipient_id: b.id });
    });

    it("[A5] POST /auth/keys: a body user_id → 400, a bundle signed for another account → 400; keys land on the token's user", async () => {
      const [a, b] = await Promise.all([lockbox.user(), lockbox.user()]);
      const withUserId = await api.post('/auth/keys', {
        token: a.token,
        body: { ...signedKeyBundle(b), user_id: b.id },
      });
      expectRefused(withUserId, [400]);
      expectRefused(await api.post('/auth/keys', { token: a.token, body: signedKeyBundle(b) }), [400]);
      expectRefused(await api.get(`/auth/keys/${b.id}`, { token: a.token }), [404]);
      const mine = signedKeyBundle(a);
      const published = expectStatus<{ user_id: string }>(
        await api.post('/auth/keys', { token: a.token, body: mine }),
        201,
      );
      expect(published.user_id).toBe(a.id);
      const fetched = expectStatus<{ user_id: string; identity_key: string }>(
        await api.get(`/auth/keys/${a.id}`, { token: b.token }),
        200,
      );
      expect(fetched).toMatchObject({ user_id: a.id, identity_key: mine.identity_key });
      expectRefused(await api.get(`/auth/keys/${b.id}`, { token: b.token }), [404]);
      expectRefused(
        await api.put('/auth/vault', { token: a.token, body: { vault: 'AAAA', user_id: b.id } }),
        [400],
      );
    });
  });

  describe('[A6] WebSocket', () => {
    it('[A6] no token, bad token, foreign path id, disallowed Origin → refused before 101', async () => {
      const [a, b] = await Promise.all([lockbox.user(), lockbox.user()]);
      const url = lockbox.stack.gatewayUrl;
      const tampered = `${a.token.slice(0, -4)}AAAA`;
      const cases = [
        ['no token', {}, 401],
        ['garbage token', { token: 'not-a-token' }, 401],
        ['tampered token', { token: tampered }, 401],
        ['refresh token', { token: a.refreshToken }, 401],
        ['bad token as subprotocol', { token: tampered, viaProtocol: true }, 401],
        ["someone else's path id", { token: a.token, pathUserId: b.id }, 403],
        ['disallowed Origin', { token: a.token, origin: 'https://evil.example' }, 403],
      ] as const;
      const seen: string[] = [];
      for (const [label, opts] of cases) {
        const res = await openSocket(url, opts);
        if (!('refused' in res)) res.close();
        seen.push(
          `${label}: ${'refused' in res ? `${res.status} ${res.body.error?.code ? 'with code' : 'no code'}` : 'OPEN'}`,
        );
      }
      expect(seen).toEqual(cases.map(([label, , status]) => `${label}: ${status} with code`));
      // Control: the same user, their own path, no Origin (a non-browser client) is let in.
      (await mustOpen(url, { token: a.token, pathUserId: a.id })).close();
    });

    it('[A6] logout closes the open socket with 4001', async () => {
      const a = await lockbox.user();
      const socket = await mustOpen(lockbox.stack.gatewayUrl, { token: a.token });
      socket.send({ type: 'ping' });
      await socket.waitFor((s) => s.ofType('pong').length > 0);
      expectStatus(await api.post('/auth/logout', { token: a.token }), 204);
      expect((await socket.waitClosed(15_000)).code).toBe(WS_CLOSE.sessionEnded);
      const again = await openSocket(lockbox.stack.gatewayUrl, { token: a.token });
      expect('refused' in again && again.status).toBe(401);
    });
  });

  describe('[A7] internal procedures', () => {
    it('[A7] the table has every internal procedure of the three services', () => {
      expect(INTERNAL.map((c) => c.label)).toEqual(
        expect.arrayContaining([
          'POST /trpc/internal.broadcast',
          'GET /trpc/internal.connections',
          'GET /trpc/internal.usersByIds',
          'GET /trpc/internal.messagesAfter',
        ]),
      );
      expect(new Set(INTERNAL.map((c) => c.service))).toEqual(new Set(['auth', 'messages', 'realtime']));
    });

    it.each(INTERNAL_ROWS)(
      '[A7] %s: 404 through the gateway (even with the credential); 401 on its service without it',
      async (_label, c) => {
        const a = await lockbox.user();
        const viaGateway = [
          await call(api, c, { authorization: `Bearer ${a.token}` }),
          await call(api, c, { [INTERNAL_HEADER]: INTERNAL_TOKEN }),
        ];
        for (const res of viaGateway) expectRefused(res, [404]);
        const direct = client(lockbox.stack.get(c.service).url);
        const refusals = [
          await call(direct, c),
          await call(direct, c, { [INTERNAL_HEADER]: `${INTERNAL_TOKEN.slice(0, -1)}x` }),
          await call(direct, c, { [INTERNAL_HEADER]: 'guess' }),
          await call(direct, c, { authorization: `Bearer ${a.token}` }),
        ];
        for (const res of refusals) {
          expectRefused(res, [401, 403]);
          expect(res.text).not.toContain(a.id);
        }
        // Control: with the real credential the same call gets past the check (then answers or wants input).
        const allowed = await call(direct, c, { [INTERNAL_HEADER]: INTERNAL_TOKEN });
        expect([200, 400], allowed.text.slice(0, 200)).toContain(allowed.status);
      },
    );

    it('[A7] the old REST paths /broadcast and /connections do not reach realtime', async () => {
      const a = await lockbox.user();
      const socket = await mustOpen(lockbox.stack.gatewayUrl, { token: a.token });
      for (const [method, path] of [
        ['POST', '/broadcast'],
        ['GET', '/connections'],
        ['POST', '/ws/broadcast'],
        ['GET', '/ws/connections'],
      ] as const) {
        const res = await api.request(method, path, {
          token: a.token,
          ...(method === 'POST' ? { body: { message: 'hi' } } : {}),
        });
        expectRefused(res, [404], [a.id]);
      }
      // A ping answered after the calls: a broadcast they had caused would have come first.
      socket.send({ type: 'ping' });
      await socket.waitFor((s) => s.ofType('pong').length > 0);
      expect(socket.frames.map((f) => f.type).filter((t) => t !== 'presence')).toEqual(['pong']);
      socket.close();
    });
  });
});
