/**
 * Three devices per user through the real stack: every message reaches each of the other five
 * devices exactly once and in order over live.listen, across a SIGKILL of realtime (the stack
 * helper blackbox's fault F1 uses); the sender's own device gets nothing back for its own sends.
 */
import type { Stack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockboxSession } from '../../src';
import type { RealtimeClient } from '../../src/realtime/client';
import { newV2Session, startFullStack, uniqueName, until } from '../helpers/stack';

let stack: Stack;
const password = 'correct horse battery staple';

beforeAll(async () => {
  stack = await startFullStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('three devices per user', () => {
  it('each device gets every message of the others exactly once, in order, across a realtime kill', async () => {
    const aliceName = uniqueName('alice');
    const bobName = uniqueName('bob');
    const a1 = await newV2Session(stack, { deviceName: 'a1' });
    const b1 = await newV2Session(stack, { deviceName: 'b1' });
    await a1.account.register(aliceName, password);
    await b1.account.register(bobName, password);
    await a1.requests.send(bobName, 'hi');
    await b1.requests.respond(aliceName, 'accept');
    const more = async (name: string, device: string) => {
      const s = await newV2Session(stack, { deviceName: device });
      await s.account.login(name, password);
      return s;
    };
    const devices: [string, LockboxSession][] = [
      ['a1', a1],
      ['a2', await more(aliceName, 'a2')],
      ['a3', await more(aliceName, 'a3')],
      ['b1', b1],
      ['b2', await more(bobName, 'b2')],
      ['b3', await more(bobName, 'b3')],
    ];
    const got = new Map<string, string[]>(devices.map(([n]) => [n, []]));
    const sockets: RealtimeClient[] = [];
    const open = new Set<string>();
    for (const [name, s] of devices)
      sockets.push(
        await s.live.listen({
          onMessage: (m) => {
            if (m.payload?.type === 'text') got.get(name)?.push(`${m.version}:${m.payload.text}`);
          },
          onState: (state) => {
            if (state === 'open') open.add(name);
          },
        }),
      );
    await until(() => expect(open.size).toBe(6));
    const sent: [string, string][] = [];
    const send = async (from: string, i: number) => {
      const s = devices.find(([n]) => n === from)?.[1] as LockboxSession;
      const text = `m${i} from ${from}`;
      const r = await s.messages.send(from.startsWith('a') ? bobName : aliceName, text);
      expect(r.version).toBe(2);
      sent.push([from, `2:${text}`]);
    };
    const senders = ['a1', 'b2', 'a3', 'b1', 'a2', 'b3'];
    for (let i = 0; i < 6; i++) await send(senders[i] as string, i);
    const realtime = stack.processes.find((p) => p.service === 'realtime');
    if (!realtime) throw new Error('no realtime process');
    await realtime.kill('SIGKILL');
    for (let i = 6; i < 12; i++) await send(senders[i % 6] as string, i);
    await realtime.start();
    for (let i = 12; i < 18; i++) await send(senders[i % 6] as string, i);
    for (const [name] of devices) {
      const expected = sent.filter(([from]) => from !== name).map(([, t]) => t);
      await until(() => expect({ name, got: got.get(name) }).toEqual({ name, got: expected }), 90_000);
    }
    for (const c of sockets) await c.stop();
  }, 600_000);
});
