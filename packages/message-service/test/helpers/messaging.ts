/**
 * Shared by the message-service suites: one stack per test file, fresh users
 * per test, and the few steps every test repeats (connect two users, make an
 * envelope). Everything goes through the gateway, like a client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TMessage, TMessagesPage, TSendMessageRequest, TSendMessageResponse } from '@lockbox/contracts';
import {
  type Client,
  type Engine,
  expectStatus,
  makeContacts,
  readStream as readWholeStream,
  type StackOptions,
  type SuiteStack,
  startSuiteStack,
  type TestUser,
} from '@lockbox/testkit';
import { expect } from 'vitest';

export type MessagingStack = SuiteStack;

/** The wire types are the contract's (under the names the suites use). */
export type Envelope = TSendMessageRequest;
export type SendAnswer = TSendMessageResponse;
export type WireMessage = TMessage;
export type StreamPage = TMessagesPage;

/** Auth and messages behind the gateway (no realtime: deliveries are best-effort). */
export const startMessaging = (
  engine: Engine,
  opts: Omit<StackOptions, 'engine'> = {},
): Promise<MessagingStack> =>
  startSuiteStack(engine, { services: ['auth', 'messages'], userPrefix: 'm', ...opts });

/** A asks, B accepts: they are contacts. Returns the conversation id. */
export const connect = async (api: Client, a: TestUser, b: TestUser): Promise<string> => {
  await makeContacts(api, a, b);
  const contacts = expectStatus<Array<{ id: string; conversation_id: string }>>(
    await api.get('/contacts?limit=100', { token: a.token }),
    200,
  );
  const contact = contacts.find((c) => c.id === b.id);
  expect(contact).toBeDefined();
  return (contact as { conversation_id: string }).conversation_id;
};

/** An opaque envelope as the SDK would send it: random ciphertext, a 64-byte signature. */
export const envelope = (recipientId: string, bytes = 48): Envelope => ({
  recipient_id: recipientId,
  client_msg_id: randomUUID(),
  encrypted_blob: randomBytes(bytes).toString('base64'),
  signature: randomBytes(64).toString('base64'),
});

export const send = async (api: Client, from: TestUser, env: Envelope): Promise<SendAnswer> =>
  expectStatus<SendAnswer>(await api.post('/messages/send', { token: from.token, body: env }), 201);

/** Every message of a user's stream, paging with ?after= until the end. */
export const readStream = (api: Client, user: TestUser): Promise<WireMessage[]> =>
  readWholeStream<WireMessage>(api, user);
