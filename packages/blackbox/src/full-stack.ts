/**
 * The whole of LockBox behind its gateway (auth, messages, realtime), as a
 * client meets it. The gateway's per-IP limit is off: suites send bursts from
 * one address; a suite that tests that limit sets its own `gatewayEnv`.
 */
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

export interface FullStack {
  stack: Stack;
  /** A client of the gateway's public port. */
  api: Client;
  /** A fresh registered user (through the gateway). */
  user(prefix?: string): Promise<TestUser>;
}

export const startFullStack = async (
  engine: Engine,
  opts: Omit<StackOptions, 'engine' | 'services'> = {},
): Promise<FullStack> => {
  const stack = await startStack({
    ...opts,
    engine,
    services: ['auth', 'messages', 'realtime'],
    gatewayEnv: { RL_GATEWAY_PER_IP: '0', ...opts.gatewayEnv },
  });
  const api = client(stack.gatewayUrl);
  return { stack, api, user: (prefix) => registerUser(api, prefix) };
};
