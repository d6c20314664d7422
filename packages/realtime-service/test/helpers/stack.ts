/**
 * One real stack per test file (auth, messages, realtime behind the gateway)
 * and fresh users per test; the messaging steps come from testkit.
 */
import { randomBytes } from 'node:crypto';
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

export {
  makeContacts,
  noteOf,
  range,
  readStream,
  type SendAnswer,
  sendMessage,
  type WireMessage,
} from '@lockbox/testkit';
