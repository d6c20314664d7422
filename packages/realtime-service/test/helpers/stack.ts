/**
 * One real stack per test file (auth, messages, realtime behind the gateway)
 * and fresh users per test; the messaging steps come from testkit.
 */
import { randomBytes } from 'node:crypto';
import { deriveCredentials, INTERNAL_HEADER } from '@lockbox/service-kit';
import { client, type Engine, type StackOptions, type SuiteStack, startSuiteStack } from '@lockbox/testkit';

export interface RealtimeStack extends SuiteStack {
  /** The shared secret, so tests can call internal procedures like another service would. */
  secret: string;
}

export const startRealtime = async (
  engine: Engine,
  opts: Omit<StackOptions, 'engine'> = {},
): Promise<RealtimeStack> => {
  const secret = randomBytes(32).toString('base64url');
  const suite = await startSuiteStack(engine, {
    userPrefix: 'rt',
    ...opts,
    env: { LOCKBOX_INTERNAL_SECRET: secret, ...opts.env },
  });
  return { ...suite, secret };
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
