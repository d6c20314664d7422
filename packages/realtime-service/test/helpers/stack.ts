/**
 * One real stack per test file (auth, messages, realtime behind the gateway),
 * fresh users per test, and the steps every realtime test repeats: make two
 * users contacts, send an opaque envelope, read a user's stream.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { deriveCredentials, INTERNAL_HEADER } from '@lockbox/service-kit';
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

export interface RealtimeStack {
  stack: Stack;
  api: Client;
  /** The shared secret, so tests can call internal procedures like another service would. */
  secret: string;
  user(prefix?: string): Promise<TestUser>;
}

export const startRealtime = async (engine: Engine, opts: StackOptions = {}): Promise<RealtimeStack> => {
  const secret = randomBytes(32).toString('base64url');
  const stack = await startStack({
    engine,
    services: ['auth', 'messages', 'realtime'],
    ...opts,
    env: { LOCKBOX_INTERNAL_SECRET: secret, ...opts.env },
    // Tests open many sockets and send bursts from one address; the gateway's limit has its own suite.
    gatewayEnv: { RL_GATEWAY_PER_IP: '0', ...opts.gatewayEnv },
  });
  const api = client(stack.gatewayUrl);
  return { stack, api, secret, user: (prefix = 'rt') => registerUser(api, prefix) };
};

const expectStatus = <T>(res: { status: number; text: string; json: T }, status: number): T => {
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

/** Every message of a user's stream (GET /messages, paged). */
export const readStream = async (api: Client, user: TestUser): Promise<WireMessage[]> => {
  const all: WireMessage[] = [];
  let after = '0';
  for (;;) {
    const page = expectStatus<{ messages: WireMessage[]; next_cursor: string; has_more: boolean }>(
      await api.get(`/messages?after=${after}&limit=100`, { token: user.token }),
      200,
    );
    all.push(...page.messages);
    after = page.next_cursor;
    if (!page.has_more) return all;
  }
};

/** Calls a realtime instance's internal procedure with the service credential, as message-service would. */
export const internalCall = async (
  rt: RealtimeStack,
  instanceUrl: string,
  method: 'GET' | 'POST',
  procedure: string,
  input?: unknown,
) => {
  const headers = { [INTERNAL_HEADER]: deriveCredentials(rt.secret).internalToken };
  const api = client(instanceUrl);
  return method === 'GET'
    ? api.get(
        `/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        {
          headers,
        },
      )
    : api.post(`/trpc/${procedure}`, { headers, body: input ?? {} });
};

export const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => String(from + i));
