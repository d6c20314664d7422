/**
 * The steps black-box messaging tests repeat, through the gateway like a
 * client: make two users contacts, send an opaque envelope (the server never
 * reads it, so a test can carry a note inside), read a user's whole stream.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, TestUser } from './client';

export const expectStatus = <T>(res: { status: number; text: string; json: T }, status: number): T => {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
};

/** A asks, B accepts: they are contacts. */
export const makeContacts = async (api: Client, a: TestUser, b: TestUser) => {
  const sent = expectStatus<{ id: string }>(
    await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } }),
    201,
  );
  expectStatus(
    await api.post('/chat-requests/respond', {
      token: b.token,
      body: { request_id: sent.id, action: 'accept' },
    }),
    200,
  );
  return sent.id;
};

export interface SendAnswer {
  message_id: string;
  cursor: string;
  seq: number;
}

/** Sends an opaque envelope; `note` goes inside the "ciphertext" so a test can read it back. */
export const sendMessage = async (api: Client, from: TestUser, to: TestUser, note: string = randomUUID()) => {
  const body = {
    recipient_id: to.id,
    client_msg_id: randomUUID(),
    encrypted_blob: Buffer.from(note.padEnd(48, '.')).toString('base64'),
    signature: randomBytes(64).toString('base64'),
  };
  return expectStatus<SendAnswer>(await api.post('/messages/send', { token: from.token, body }), 201);
};

export const noteOf = (message: { encrypted_blob?: unknown }) =>
  Buffer.from(String(message.encrypted_blob), 'base64').toString().replace(/\.+$/, '');

export interface WireMessage {
  id: string;
  cursor: string;
  [key: string]: unknown;
}

/** Every message of a user's stream (GET /messages, paged); `M` types the messages for a suite that reads their fields. */
export const readStream = async <M extends { cursor: string } = WireMessage>(
  api: Client,
  user: Pick<TestUser, 'token'>,
): Promise<M[]> => {
  const all: M[] = [];
  let after = '0';
  for (;;) {
    const page = expectStatus<{ messages: M[]; next_cursor: string; has_more: boolean }>(
      await api.get(`/messages?after=${after}&limit=100`, { token: user.token }),
      200,
    );
    all.push(...page.messages);
    after = page.next_cursor;
    if (!page.has_more) return all;
  }
};

export const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => String(from + i));
