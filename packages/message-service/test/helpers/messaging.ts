/**
 * Shared by the message-service suites: one stack per test file, fresh users
 * per test, and the few steps every test repeats (connect two users, make an
 * envelope). Everything goes through the gateway, like a client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Client,
  client,
  type Engine,
  registerUser,
  type Stack,
  type StackOptions,
  startStack,
  type TestUser,
} from '@lockbox/testkit';
import { expect } from 'vitest';

export interface MessagingStack {
  stack: Stack;
  /** The public API (the gateway). */
  api: Client;
  user(prefix?: string): Promise<TestUser>;
}

export const startMessaging = async (engine: Engine, opts: StackOptions = {}): Promise<MessagingStack> => {
  const stack = await startStack({
    engine,
    services: ['auth', 'messages'],
    ...opts,
    // Suites send bursts from one address; the gateway's per-IP limit is tested in the gateway's own suite.
    gatewayEnv: { RL_GATEWAY_PER_IP: '0', ...opts.gatewayEnv },
  });
  const api = client(stack.gatewayUrl);
  return { stack, api, user: (prefix = 'm') => registerUser(api, prefix) };
};

export const requestBody = <T = unknown>(
  res: { status: number; text: string; json: T },
  status: number,
): T => {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
};

/** A asks, B accepts: they are contacts. Returns the conversation id. */
export const connect = async (api: Client, a: TestUser, b: TestUser): Promise<string> => {
  const sent = requestBody<{ id: string }>(
    await api.post('/chat-requests/send', { token: a.token, body: { to_user_id: b.id } }),
    201,
  );
  requestBody(
    await api.post('/chat-requests/respond', {
      token: b.token,
      body: { request_id: sent.id, action: 'accept' },
    }),
    200,
  );
  const contacts = requestBody<Array<{ id: string; conversation_id: string }>>(
    await api.get('/contacts?limit=100', { token: a.token }),
    200,
  );
  const contact = contacts.find((c) => c.id === b.id);
  expect(contact).toBeDefined();
  return (contact as { conversation_id: string }).conversation_id;
};

export interface Envelope {
  recipient_id: string;
  client_msg_id: string;
  encrypted_blob: string;
  signature: string;
  sender_public_key?: string;
}

/** An opaque envelope as the SDK would send it: random ciphertext, a 64-byte signature. */
export const envelope = (recipientId: string, bytes = 48): Envelope => ({
  recipient_id: recipientId,
  client_msg_id: randomUUID(),
  encrypted_blob: randomBytes(bytes).toString('base64'),
  signature: randomBytes(64).toString('base64'),
});

export interface SendAnswer {
  message_id: string;
  conversation_id: string;
  seq: number;
  cursor: string;
  created_at: string;
}

export const send = async (api: Client, from: TestUser, env: Envelope): Promise<SendAnswer> =>
  requestBody<SendAnswer>(await api.post('/messages/send', { token: from.token, body: env }), 201);

export interface WireMessage {
  id: string;
  conversation_id: string;
  seq: number;
  cursor: string;
  sender_id: string;
  recipient_id: string;
  client_msg_id: string;
  encrypted_blob: string;
  signature: string;
  sender_public_key?: string;
  created_at: string;
}

export interface StreamPage {
  messages: WireMessage[];
  next_cursor: string;
  has_more: boolean;
}

/** Every message of a user's stream, paging with ?after= until the end. */
export const readStream = async (api: Client, user: TestUser, limit = 100): Promise<WireMessage[]> => {
  const all: WireMessage[] = [];
  let after = '0';
  for (;;) {
    const page = requestBody<StreamPage>(
      await api.get(`/messages?after=${after}&limit=${limit}`, { token: user.token }),
      200,
    );
    all.push(...page.messages);
    after = page.next_cursor;
    if (!page.has_more) return all;
  }
};
