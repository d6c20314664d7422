/**
 * message-service and the services it calls, through the gateway on every
 * engine: what it hands realtime after a commit (typed, with the internal
 * credential), and that a sick realtime or auth never loses a message or
 * hangs a request (RELIABILITY.md Faults). auth sits behind a fault proxy;
 * realtime is a stub that records, fails or stalls.
 */
import { deriveCredentials } from '@lockbox/service-kit';
import {
  type Engine,
  enginesUnderTest,
  eventually,
  expectStatus,
  type FaultProxy,
  startFaultProxy,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  envelope,
  type MessagingStack,
  readStream,
  send,
  startMessaging,
} from './helpers/messaging';
import { type Delivered, type RealtimeStub, startRealtimeStub } from './helpers/realtime-stub';

const SECRET = 'peers-test-shared-secret-0123456789abcdef';
/** Well below the realtime timeout: a send that waited for realtime would fail the test by timing out. */
const CLIENT_TIMEOUT_MS = 5_000;

describe.each(enginesUnderTest())('peers on %s', (engine: Engine) => {
  let m: MessagingStack;
  let authProxy: FaultProxy;
  let realtime: RealtimeStub;
  beforeAll(async () => {
    authProxy = await startFaultProxy();
    realtime = await startRealtimeStub();
    m = await startMessaging(engine, {
      env: { LOCKBOX_INTERNAL_SECRET: SECRET },
      serviceEnv: {
        messages: {
          AUTH_URLS: authProxy.url,
          AUTH_TIMEOUT_MS: '1000',
          REALTIME_URLS: realtime.url,
          REALTIME_TIMEOUT_MS: '30000',
        },
      },
    });
    authProxy.target(m.stack.get('auth').url);
  });
  afterAll(async () => {
    await realtime?.close();
    await m?.stack.stop();
    await authProxy?.close();
  });

  const deliveredTo = (user: string, type: string) => (d: Delivered) =>
    d.event.type === type && d.recipients.length === 1 && d.recipients[0] === user;

  it('hands each committed event to realtime, typed and with the internal credential', async () => {
    realtime.mode('ok');
    const [a, b, c] = [await m.user(), await m.user(), await m.user()];
    // b already has a stream, so b's cursors differ from a's.
    await connect(m.api, b, c);
    await send(m.api, c, envelope(b.id));

    const request = expectStatus<{ id: string }>(
      await m.api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id, message: 'hi' } }),
      201,
    );
    const asked = await eventually(async () => realtime.delivered.find(deliveredTo(b.id, 'chat_request')));
    expect(asked.event.data).toMatchObject({ id: request.id, from_user: { id: a.id, username: a.username } });
    expect(asked.credential).toBe(deriveCredentials(SECRET).internalToken);

    expectStatus(
      await m.api.post('/chat-requests/respond', {
        token: b.token,
        body: { request_id: request.id, action: 'accept' },
      }),
      200,
    );
    const accepted = await eventually(async () =>
      realtime.delivered.find(deliveredTo(a.id, 'chat_request_accepted')),
    );
    expect(accepted.event.data).toMatchObject({ id: request.id, status: 'accepted' });

    const sent = await send(m.api, a, envelope(b.id));
    const isSent = (d: Delivered) => d.event.data.id === sent.message_id;
    const toB = await eventually(async () =>
      realtime.delivered.find((d) => deliveredTo(b.id, 'new_message')(d) && isSent(d)),
    );
    const toA = await eventually(async () =>
      realtime.delivered.find((d) => deliveredTo(a.id, 'new_message')(d) && isSent(d)),
    );
    // Each viewer gets the message exactly as its own GET /messages shows it, with its own cursor.
    const streamOfB = await readStream(m.api, b);
    const streamOfA = await readStream(m.api, a);
    expect(toB.event.data).toEqual(streamOfB.find((x) => x.id === sent.message_id));
    expect(toA.event.data).toEqual(streamOfA.find((x) => x.id === sent.message_id));
    expect(toB.event.data.cursor).toBe('2');
    expect(toA.event.data.cursor).toBe('1');

    expectStatus(
      await m.api.post('/messages/read', { token: b.token, body: { contact_id: a.id, up_to: 1 } }),
      200,
    );
    const receipt = await eventually(async () => realtime.delivered.find(deliveredTo(a.id, 'receipt')));
    expect(receipt.event.data).toMatchObject({
      reader_id: b.id,
      up_to: 1,
      conversation_id: sent.conversation_id,
    });
  });

  it('a realtime that fails or stalls never fails or holds up a send; the message waits for resume', async () => {
    const [a, b] = [await m.user(), await m.user()];
    await connect(m.api, a, b);
    const ids: string[] = [];
    for (const mode of ['fail', 'stall'] as const) {
      realtime.mode(mode);
      const res = await m.api.post<{ message_id: string }>('/messages/send', {
        token: a.token,
        body: envelope(b.id),
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      expect(res.status, mode).toBe(201);
      ids.push(res.json.message_id);
    }
    realtime.mode('ok');
    expect((await readStream(m.api, b)).map((x) => x.id)).toEqual(ids);
  });

  it('auth unreachable: lookups answer 503 with Retry-After at once, sends still commit, and it recovers', async () => {
    realtime.mode('ok');
    const [a, b, c] = [await m.user(), await m.user(), await m.user()];
    await connect(m.api, a, b);
    expectStatus(
      await m.api.post('/chat-requests/send', { token: c.token, body: { to_user_id: a.id } }),
      201,
    );
    await authProxy.mode('refuse');
    try {
      const lookups = [
        await m.api.post('/chat-requests/send', { token: a.token, body: { to_username: c.username } }),
        await m.api.get('/chat-requests/incoming', { token: a.token }),
        await m.api.get('/contacts', { token: a.token }),
        await m.api.post(`/contacts/${c.id}/block`, { token: a.token }),
      ];
      for (const res of lookups) {
        expect(res.status).toBe(503);
        expect(res.json).toMatchObject({ error: { code: 'service_unavailable' } });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Tokens are checked locally (cached JWKS), so the store keeps working.
      const sent = await send(m.api, a, envelope(b.id));
      expect((await readStream(m.api, b)).map((x) => x.id)).toEqual([sent.message_id]);
    } finally {
      await authProxy.mode('pass');
    }
    await eventually(async () =>
      (await m.api.get('/contacts', { token: a.token })).status === 200 ? true : undefined,
    );
  });

  it('auth stalled: a lookup answers 503 after its timeout instead of hanging', async () => {
    const [a, b] = [await m.user(), await m.user()];
    await authProxy.mode('blackhole');
    try {
      const res = await m.api.post('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id },
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
      expect(res.status).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await authProxy.mode('pass');
    }
    await eventually(async () =>
      (await m.api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } })).status === 201
        ? true
        : undefined,
    );
  });
  it('killed right after a send and restarted: the retry gets the original answer, one message is stored', async () => {
    realtime.mode('ok');
    const [a, b] = [await m.user(), await m.user()];
    await connect(m.api, a, b);
    const env = envelope(b.id);
    const first = await send(m.api, a, env);
    const service = m.stack.get('messages');
    await service.kill('SIGKILL');
    await service.start();
    // The gateway notices the instance is back on its next health probe.
    await eventually(
      async () => ((await m.api.get('/messages', { token: b.token })).status === 200 ? true : undefined),
      20_000,
    );
    const retry = await m.api.post('/messages/send', { token: a.token, body: env });
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first);
    expect((await readStream(m.api, b)).map((x) => x.id)).toEqual([first.message_id]);
    // And the stream goes on where it was.
    expect(await send(m.api, a, envelope(b.id))).toMatchObject({ seq: 2 });
  });
});
