/**
 * A late device: after 1,000 v2 messages sent through the session (a plain loop, no listener
 * running anywhere: every other device is offline), Alice signs in on a new device, which reads
 * all 1,000 from the archive — MLS deleted their keys long ago, so nothing else could show them.
 */
import { type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newV2Session, uniqueName } from '../helpers/stack';

let stack: Stack;
const password = 'correct horse battery staple';
const COUNT = 1000;

beforeAll(async () => {
  // One client sends 1,000 messages as fast as it can (each a few requests: lists, send, archive):
  // the gateway's per-IP limit is for the open internet, not for this loop.
  stack = await startStack({
    services: ['auth', 'messages', 'realtime'],
    gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a late device', () => {
  it('reads all 1,000 earlier messages from the archive with every other device offline', async () => {
    const aliceName = uniqueName('alice');
    const bobName = uniqueName('bob');
    const alice = await newV2Session(stack);
    const bob = await newV2Session(stack);
    await alice.account.register(aliceName, password);
    await bob.account.register(bobName, password);
    await alice.requests.send(bobName, 'hi');
    await bob.requests.respond(aliceName, 'accept');
    const bobUser = await alice.contacts.resolveUser(bobName);
    for (let i = 0; i < COUNT; i++) {
      const r = await alice.messages.sendTo(bobUser, `message ${i}`);
      if (r.version !== 2) throw new Error(`message ${i} went as v${r.version}`);
    }
    await alice.account.logout();

    const late = await newV2Session(stack, { deviceName: 'late' });
    await late.account.login(aliceName, password);
    const history = await late.messages.history(bobName);
    expect(history).toHaveLength(COUNT);
    expect(history.map((m) => (m.payload?.type === 'text' ? m.payload.text : '?'))).toEqual(
      Array.from({ length: COUNT }, (_, i) => `message ${i}`),
    );
    expect(history.every((m) => m.version === 2 && m.outgoing)).toBe(true);
  }, 900_000);
});
