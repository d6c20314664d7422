/**
 * Sealed chat-request notes (issue 11, finding 12) through the gateway, on
 * every engine: the service stores the sealed note as it came (opaque base64),
 * hands it back unchanged in both request lists and in the live `chat_request`
 * hand-over, bounds it like a message's envelope, and refuses a request that
 * carries both a plaintext and a sealed note.
 */
import { randomBytes } from 'node:crypto';
import { type Engine, enginesUnderTest, eventually, expectStatus } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MessagingStack, startMessaging } from './helpers/messaging';
import { type Delivered, type RealtimeStub, startRealtimeStub } from './helpers/realtime-stub';

/** Small, so the 413 case needs no multi-megabyte body. */
const BLOB_LIMIT = 4096;

interface Sealed {
  encrypted_blob: string;
  signature: string;
}
interface ChatRequest {
  id: string;
  from_user_id: string;
  to_user_id: string;
  message: string | null;
  sealed_message: Sealed | null;
}

const sealedNote = (bytes = 2048): Sealed => ({
  encrypted_blob: randomBytes(bytes).toString('base64'),
  signature: randomBytes(64).toString('base64'),
});

describe.each(enginesUnderTest())('sealed request notes on %s', (engine: Engine) => {
  let m: MessagingStack;
  let realtime: RealtimeStub;
  beforeAll(async () => {
    realtime = await startRealtimeStub();
    realtime.mode('ok');
    m = await startMessaging(engine, {
      serviceEnv: {
        messages: { REALTIME_URLS: realtime.url, MESSAGE_BLOB_MAX_BYTES: String(BLOB_LIMIT) },
      },
    });
  });
  afterAll(async () => {
    await m?.stack.stop();
    await realtime?.close();
  });

  it('stores the sealed note opaque and returns it unchanged: send, incoming, outgoing, live frame', async () => {
    const [a, b] = [await m.user(), await m.user()];
    const note = sealedNote();
    const sent = expectStatus<ChatRequest>(
      await m.api.post('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id, sealed_message: note },
      }),
      201,
    );
    expect(sent).toMatchObject({ from_user_id: a.id, to_user_id: b.id, message: null, sealed_message: note });

    const incoming = expectStatus<ChatRequest[]>(
      await m.api.get('/chat-requests/incoming', { token: b.token }),
      200,
    );
    expect(incoming.map((r) => [r.id, r.message, r.sealed_message])).toEqual([[sent.id, null, note]]);
    const outgoing = expectStatus<ChatRequest[]>(
      await m.api.get('/chat-requests/outgoing', { token: a.token }),
      200,
    );
    expect(outgoing.map((r) => [r.id, r.sealed_message])).toEqual([[sent.id, note]]);

    const frame = await eventually(async () =>
      realtime.delivered.find(
        (d: Delivered) => d.event.type === 'chat_request' && d.event.data.id === sent.id,
      ),
    );
    expect(frame.recipients).toEqual([b.id]);
    expect(frame.event.data).toMatchObject({ sealed_message: note, message: null });
  });

  it('a legacy plaintext note still works and has no sealed note', async () => {
    const [a, b] = [await m.user(), await m.user()];
    const sent = expectStatus<ChatRequest>(
      await m.api.post('/chat-requests/send', {
        token: a.token,
        body: { to_user_id: b.id, message: 'hi b' },
      }),
      201,
    );
    expect(sent).toMatchObject({ message: 'hi b', sealed_message: null });
  });

  it('refuses with 400: both notes at once, bad base64, missing or unknown fields in the sealed note', async () => {
    const [a, b] = [await m.user(), await m.user()];
    const note = sealedNote(64);
    const bodies: unknown[] = [
      { to_user_id: b.id, message: 'plain', sealed_message: note },
      { to_user_id: b.id, sealed_message: { ...note, encrypted_blob: 'not base64!' } },
      { to_user_id: b.id, sealed_message: { ...note, signature: '' } },
      { to_user_id: b.id, sealed_message: { encrypted_blob: note.encrypted_blob } },
      { to_user_id: b.id, sealed_message: { ...note, sender_id: a.id } },
      { to_user_id: b.id, sealed_message: note.encrypted_blob },
    ];
    for (const body of bodies) {
      const res = await m.api.post('/chat-requests/send', { token: a.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
    }
    expect(
      expectStatus<ChatRequest[]>(await m.api.get('/chat-requests/outgoing', { token: a.token }), 200),
    ).toEqual([]);
  });

  it('bounds the sealed note like a message envelope: 413 above MESSAGE_BLOB_MAX_BYTES', async () => {
    const [a, b] = [await m.user(), await m.user()];
    const res = await m.api.post<{ error: { code: string } }>('/chat-requests/send', {
      token: a.token,
      body: { to_user_id: b.id, sealed_message: sealedNote(BLOB_LIMIT + 1) },
    });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    const atLimit = await m.api.post('/chat-requests/send', {
      token: a.token,
      body: { to_user_id: b.id, sealed_message: sealedNote(BLOB_LIMIT) },
    });
    expect(atLimit.status).toBe(201);
  });
});
