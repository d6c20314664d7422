/**
 * The hostile-server harness itself: it passes the real stack through when
 * told nothing, and lies exactly where told (an answer rewritten, a call
 * answered by itself, a live frame injected). Every malicious-server test
 * builds on these three abilities.
 */
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSession, uniqueName, until } from '../helpers/stack';

let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
});
afterAll(() => stop?.());

describe('hostile server harness', () => {
  it('passes everything through when told nothing, and records the calls', async () => {
    hostile.reset();
    const s = await newSession(stack, { baseUrl: hostile.url });
    const name = uniqueName('hh');
    await s.account.register(name, 'a long enough password');
    expect((await s.account.whoami()).username).toBe(name);
    expect(hostile.calls.map((c) => c.path)).toContain('auth.register');
  });

  it('rewrites an answer and forges another', async () => {
    hostile.reset();
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), memory_kib: 1024 }));
    const res = await fetch(`${hostile.url}/trpc/auth.prelogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody-here' }),
    });
    expect(((await res.json()) as { result: { data: { memory_kib: number } } }).result.data.memory_kib).toBe(
      1024,
    );
    hostile.respond('auth.me', () => ({ status: 200, body: { result: { data: { forged: true } } } }));
    const me = await fetch(`${hostile.url}/trpc/auth.me`);
    expect(await me.json()).toEqual({ result: { data: { forged: true } } });
  });

  it('relays live frames and injects its own', async () => {
    hostile.reset();
    const s = await newSession(stack, { baseUrl: hostile.url });
    await s.account.register(uniqueName('hf'), 'a long enough password');
    const seen: string[] = [];
    const states: string[] = [];
    const client = await s.live.listen({
      onTyping: (t) => seen.push(t.from),
      onState: (st) => states.push(st),
    });
    await until(() => expect(states).toContain('open'));
    hostile.injectFrame({ type: 'typing', data: { from: 'usr_0000000000000000000000000z', typing: true } });
    await until(() => expect(seen).toContain('usr_0000000000000000000000000z'));
    client.stop();
  });
});
