/**
 * What a misbehaving client can do through the gateway: oversized, non-JSON
 * and unknown frames, a broken close frame, and a reader that stops reading.
 * Each gets an error frame or a clean close; the service stays up and other
 * clients are unaffected.
 */
import { eventually, misbehave, mustOpen } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  internalCall,
  makeContacts,
  type RealtimeStack,
  range,
  sendMessage,
  startRealtime,
} from '../helpers/stack';

describe('misbehaving clients', () => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    // A small send buffer so a stalled reader is found without pushing tens of megabytes.
    // The gateway cuts off a client that has not drained for 3 s (not 30): realtime's own cut-off waits behind the unread bytes.
    rt = await startRealtime('pglite', {
      serviceEnv: { realtime: { RT_SEND_BUFFER_LIMIT: '65536' } },
      gatewayEnv: { GATEWAY_WS_STALL_MS: '3000' },
    });
  });
  afterAll(async () => {
    await rt?.stack.stop();
  });

  it('non-JSON and unknown frames get error frames; a frame over 64 KiB closes with 1009; the service lives on', async () => {
    const alice = await rt.user();
    const s = await mustOpen(rt.stack.gatewayUrl, { token: alice.token });
    expect(await misbehave(s)).toEqual({
      errorCodes: ['invalid_json', 'invalid_frame', 'invalid_frame'],
      closeCode: 1009,
    });
    const again = await mustOpen(rt.stack.gatewayUrl, { token: alice.token });
    again.send({ type: 'ping' });
    await again.waitFor((x) => x.ofType('pong').length === 1);
    again.close();
  });

  it('an invalid close code is a protocol error (1002), not a crash', async () => {
    const alice = await rt.user();
    const s = await mustOpen(rt.stack.gatewayUrl, { token: alice.token });
    s.writeRawClose(999);
    expect((await s.waitClosed()).code).toBe(1002);
    expect((await fetch(`${rt.stack.get('realtime').url}/ready`)).status).toBe(200);
  });

  it('a reader that stops reading is cut off, others are unaffected, and its messages wait for resume', {
    timeout: 240_000,
  }, async () => {
    const [alice, bob, carol] = [await rt.user(), await rt.user(), await rt.user()];
    await makeContacts(rt.api, alice, bob);
    await makeContacts(rt.api, alice, carol);
    const bobSocket = await mustOpen(rt.stack.gatewayUrl, { token: bob.token });
    const carolSocket = await mustOpen(rt.stack.gatewayUrl, { token: carol.token });
    await sendMessage(rt.api, alice, bob);
    await bobSocket.waitFor((x) => x.cursors().length === 1);
    // Bob stops reading; every buffer between him and the server fills up, then the server cuts him off.
    bobSocket.tcp.pause();
    const big = 'x'.repeat(40_000);
    let sent = 1;
    const socketsBefore = await connectionCount(rt);
    while ((await connectionCount(rt)) >= socketsBefore && sent < 1_500) {
      await Promise.all(Array.from({ length: 10 }, () => sendMessage(rt.api, alice, bob, big)));
      sent += 10;
      await sendMessage(rt.api, alice, carol);
    }
    // Bob's socket is gone: by the send bound, or at the latest by the gateway's stall limit (a busy machine may send all first).
    await eventually(
      async () => ((await connectionCount(rt)) < socketsBefore ? true : undefined),
      60_000,
      200,
    );
    const carolCount = Math.floor(sent / 10);
    await carolSocket.waitFor((x) => x.cursors().length === carolCount);
    expect(carolSocket.cursors()).toEqual(range(1, carolCount));

    // Bob reads again: he sees what made it before the cut, then the close.
    bobSocket.tcp.resume();
    const closed = await bobSocket.waitClosed(30_000);
    expect([1013, 1006]).toContain(closed.code);
    const got = bobSocket.cursors();
    expect(got).toEqual(range(1, got.length));
    expect(got.length).toBeLessThan(sent);
    // Resuming from his last cursor brings the rest, exactly once.
    const resumed = await mustOpen(rt.stack.gatewayUrl, { token: bob.token, after: got.at(-1) ?? '0' });
    await resumed.waitFor((x) => got.length + x.cursors().length === sent, 30_000);
    expect([...got, ...resumed.cursors()]).toEqual(range(1, sent));
    resumed.close();
    carolSocket.close();
  });
});

const connectionCount = async (rt: RealtimeStack) => {
  const res = await internalCall(rt, rt.stack.get('realtime').url, 'GET', 'internal.connections');
  return (res.json as { result: { data: { sockets: number } } }).result.data.sockets;
};
