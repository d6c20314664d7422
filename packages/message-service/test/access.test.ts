/**
 * Who may call what (RELIABILITY.md Authorization 1, 7 and Bad input 9),
 * table-driven over the contract so a new route is covered the day it lands:
 * every public route refuses a missing or bad token with 401, over REST and
 * tRPC; internal procedures are unreachable through the gateway and refuse
 * callers without the service credential; a logged-out session stops working
 * here within the revocation poll.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import {
  flattenContract,
  type MessagesRouter,
  messagesContract,
  pathParamsOf,
  restRoutesOf,
} from '@lockbox/contracts';
import { createInternalClient, deriveCredentials } from '@lockbox/service-kit';
import { client, type Engine, enginesUnderTest, eventually } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, envelope, type MessagingStack, send, startMessaging } from './helpers/messaging';

const SECRET = 'access-test-shared-secret-0123456789abcdef';

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const claims = (userId: string) => ({
  iss: 'lockbox-auth',
  aud: 'lockbox',
  sub: userId,
  sid: 'ses_0000000000000000000000000a',
  name: 'mallory',
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
});

/** Tokens that must all be refused: none of them was issued by auth for a live session. */
const forgedTokens = (userId: string, refreshToken: string): Array<[string, string | undefined]> => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const eddsaHeader = b64url({ alg: 'EdDSA', typ: 'at+jwt', kid: 'not-auths-key' });
  const eddsaBody = b64url(claims(userId));
  const otherKey = sign(null, Buffer.from(`${eddsaHeader}.${eddsaBody}`), privateKey).toString('base64url');
  const hsHeader = b64url({ alg: 'HS256', typ: 'at+jwt' });
  const hs = createHmac('sha256', 'guess').update(`${hsHeader}.${eddsaBody}`).digest('base64url');
  return [
    ['no Authorization header', undefined],
    ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['garbage', 'Bearer not-a-token'],
    ['alg none', `Bearer ${b64url({ alg: 'none', typ: 'at+jwt' })}.${eddsaBody}.`],
    ['HS256', `Bearer ${hsHeader}.${eddsaBody}.${hs}`],
    ['EdDSA signed by another key', `Bearer ${eddsaHeader}.${eddsaBody}.${otherKey}`],
    ['a refresh token', `Bearer ${refreshToken}`],
    ['a 10 KB token', `Bearer ${'a'.repeat(10_000)}`],
  ];
};

const fillPath = (path: string) =>
  pathParamsOf(path).reduce(
    (p, name) =>
      p.replace(
        `{${name}}`,
        name === 'id' ? 'req_0000000000000000000000000a' : 'usr_0000000000000000000000000a',
      ),
    path,
  );

describe.each(enginesUnderTest())('access on %s', (engine: Engine) => {
  let m: MessagingStack;
  beforeAll(async () => {
    m = await startMessaging(engine, { env: { LOCKBOX_INTERNAL_SECRET: SECRET } });
  });
  afterAll(async () => {
    await m?.stack.stop();
  });

  const routes = restRoutesOf(messagesContract);

  it('the contract has the routes API.md lists', () => {
    expect(routes.map((r) => `${r.rest.method} ${r.rest.path}`).sort()).toEqual(
      [
        'POST /chat-requests/send',
        'GET /chat-requests/incoming',
        'GET /chat-requests/outgoing',
        'POST /chat-requests/respond',
        'POST /chat-requests/{id}/cancel',
        'GET /contacts',
        'GET /contacts/blocked',
        'POST /contacts/{user_id}/block',
        'POST /contacts/{user_id}/unblock',
        'POST /messages/send',
        'GET /messages',
        'GET /messages/conversation/{contact_id}',
        'POST /messages/read',
        // The MLS Delivery Service (v2-wire.md §2).
        'POST /messages/mls',
        'GET /messages/mls/epoch/{contact_id}',
      ].sort(),
    );
  });

  it('every REST route answers 401 to a missing or bad token, and stores nothing', async () => {
    const [a, b] = [await m.user(), await m.user()];
    await connect(m.api, a, b);
    for (const route of routes) {
      const path = fillPath(route.rest.path);
      for (const [label, authorization] of forgedTokens(a.id, a.refreshToken)) {
        const res = await m.api.request(route.rest.method, path, {
          headers: authorization ? { authorization } : {},
          ...(route.rest.method === 'POST' ? { body: { ...envelope(b.id), sender_id: a.id } } : {}),
        });
        expect(res.status, `${route.rest.method} ${path} with ${label}`).toBe(401);
        expect(res.json).toMatchObject({
          error: { code: expect.stringMatching(/unauthorized|token_expired/) },
        });
      }
    }
    expect((await m.api.get('/messages', { token: b.token })).json).toMatchObject({ messages: [] });
    // Past Node's 16 KB header limit the gateway refuses the request itself (431) before any service sees it.
    const huge = await m.api.get('/contacts', { headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
    expect([401, 431]).toContain(huge.status);
  });

  it('every user procedure answers 401 over tRPC too', async () => {
    const a = await m.user();
    for (const { name, op } of flattenContract(messagesContract)) {
      if (op.access !== 'user') continue;
      for (const [label, authorization] of forgedTokens(a.id, a.refreshToken).slice(0, 4)) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const res =
          op.kind === 'query'
            ? await m.api.get(`/trpc/${name}`, { headers })
            : await m.api.post(`/trpc/${name}`, { headers, body: {} });
        expect(res.status, `${name} with ${label}`).toBe(401);
      }
    }
  });

  it('internal procedures: not routed by the gateway, refused without the credential, typed with it', async () => {
    const a = await m.user();
    const [b] = [await m.user()];
    await connect(m.api, a, b);
    const sent = await send(m.api, a, envelope(b.id));
    const input = encodeURIComponent(JSON.stringify({ user_id: b.id }));
    for (const name of ['internal.messagesAfter', 'internal.contactIds']) {
      expect((await m.api.get(`/trpc/${name}?input=${input}`, { token: a.token })).status, name).toBe(404);
      const direct = client(m.stack.get('messages').url);
      expect((await direct.get(`/trpc/${name}?input=${input}`, { token: a.token })).status, name).toBe(401);
      expect(
        (await direct.get(`/trpc/${name}?input=${input}`, { headers: { 'x-lockbox-internal': 'guess' } }))
          .status,
      ).toBe(401);
    }
    const internal = createInternalClient<MessagesRouter>({
      urls: [m.stack.get('messages').url],
      internalToken: deriveCredentials(SECRET).internalToken,
    });
    const page = await internal.internal.messagesAfter.query({ user_id: b.id, limit: 10 });
    expect(page.messages.map((x) => x.id)).toEqual([sent.message_id]);
    expect((await internal.internal.contactIds.query({ user_id: b.id })).contact_ids).toEqual([a.id]);
    // A block hides the pair from each other's presence.
    expect((await m.api.post(`/contacts/${a.id}/block`, { token: b.token })).status).toBe(200);
    expect((await internal.internal.contactIds.query({ user_id: a.id })).contact_ids).toEqual([]);
  });

  it('a logged-out session stops working here too (revocation feed)', async () => {
    const a = await m.user();
    expect((await m.api.get('/contacts', { token: a.token })).status).toBe(200);
    expect((await m.api.post('/auth/logout', { token: a.token })).status).toBe(204);
    await eventually(async () =>
      (await m.api.get('/contacts', { token: a.token })).status === 401 ? true : undefined,
    );
    expect((await m.api.post('/messages/send', { token: a.token, body: envelope(a.id) })).status).toBe(401);
  });
});
