/**
 * What every suite that starts a stack wants: the stack, a client of the
 * gateway's public port, and fresh registered users. The gateway's per-IP
 * limit is off (suites send bursts from one address); a suite that tests that
 * limit passes its own `gatewayEnv`.
 */
import { type Client, client, registerUser, type TestUser } from './client';
import { type Engine, type Stack, type StackOptions, startStack } from './stack';

export interface SuiteStack {
  stack: Stack;
  /** A client of the gateway's public port. */
  api: Client;
  /** A fresh registered user (through the gateway). */
  user(prefix?: string): Promise<TestUser>;
}

export interface SuiteStackOptions extends Omit<StackOptions, 'engine'> {
  /** Username prefix of `user()` (default 'u'). */
  userPrefix?: string;
}

/** Starts auth, messages and realtime behind the gateway unless `services` says otherwise. */
export const startSuiteStack = async (engine: Engine, opts: SuiteStackOptions = {}): Promise<SuiteStack> => {
  const { userPrefix = 'u', ...stackOpts } = opts;
  const stack = await startStack({
    services: ['auth', 'messages', 'realtime'],
    ...stackOpts,
    engine,
    gatewayEnv: { RL_GATEWAY_PER_IP: '0', ...stackOpts.gatewayEnv },
  });
  const api = client(stack.gatewayUrl);
  return { stack, api, user: (prefix = userPrefix) => registerUser(api, prefix) };
};
