/**
 * What every malicious-server test of the SDK and the CLI starts once per
 * file: the real stack (auth, messages, realtime behind the gateway) and a
 * hostile server in front of its gateway. Clients under test point at
 * `hostile.url`; honest parties may talk to `stack.gatewayUrl` directly.
 */
import { type HostileServer, startHostileServer } from './hostile-server';
import { type Stack, type StackOptions, startStack } from './stack';

export interface HostileStack {
  stack: Stack;
  hostile: HostileServer;
  /** Closes the hostile server, then stops the stack. */
  stop(): Promise<void>;
}

export const startHostileStack = async (opts: StackOptions = {}): Promise<HostileStack> => {
  const stack = await startStack({ services: ['auth', 'messages', 'realtime'], ...opts });
  let hostile: HostileServer;
  try {
    hostile = await startHostileServer(stack.gatewayUrl);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return {
    stack,
    hostile,
    stop: async () => {
      await hostile.close();
      await stack.stop();
    },
  };
};
