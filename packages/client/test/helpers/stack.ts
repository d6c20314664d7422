/** A real stack for SDK tests, plus sessions that share nothing (each has its own memory store). */
import { eventually, type Stack, startStack } from '@lockbox/testkit';
import { LockboxSession, MemoryStore, type SessionOptions } from '../../src';
import { nodeWebSocket } from '../../src/node';

export const startFullStack = (env: Record<string, string> = {}): Promise<Stack> =>
  startStack({ services: ['auth', 'messages', 'realtime'], env });

export const newSession = (stack: Stack, extra: Partial<SessionOptions> = {}) =>
  LockboxSession.open({
    baseUrl: stack.gatewayUrl,
    store: new MemoryStore(),
    webSocket: nodeWebSocket,
    ...extra,
  });

/** A session with E2E v2 switched on (it is opt-in: SessionOptions.protocol). */
export const newV2Session = (stack: Stack, extra: Partial<SessionOptions> = {}) =>
  newSession(stack, { protocol: 'v2', ...extra });

let counter = 0;
/** A username unique to this run. */
export const uniqueName = (base: string) =>
  `${base}${Date.now().toString(36).slice(-5)}${(counter++).toString(36)}`.slice(0, 32);

/** Polls an assertion until it passes (or fails with its last message after `timeoutMs`). */
export const until = (assertion: () => void | Promise<void>, timeoutMs = 15_000) =>
  eventually(async () => {
    await assertion();
    return true;
  }, timeoutMs);
