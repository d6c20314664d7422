/**
 * F6: a WebSocket client that stops reading (its TCP socket paused) while
 * big messages keep coming. The kernel buffers on the way fill, then the
 * server's own bounds take over — realtime's send buffer limit
 * (RT_SEND_BUFFER_LIMIT, small here) and the gateway's stall limit
 * (GATEWAY_WS_STALL_MS, short here) — and the connection is closed instead of
 * buffering without end. Every message is committed all the same; the client,
 * once it reads again, finds its socket closed, and a new socket with
 * `after=<its last cursor>` gets the rest: exactly once, in order. Realtime
 * and the gateway stay up.
 */
import { eventually, makeContacts } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeTo } from '../../src/envelope';
import { type FullStack, startFullStack } from '../../src/full-stack';
import { counterValue, gatewayMetricsText } from '../../src/metrics';
import { ResumingClient } from '../../src/resuming-client';
import { committedCursors } from '../../src/traffic';

/** Decoded ciphertext per message (the service allows 64 KiB): ~80 KB frames fill buffers fast. */
const BLOB_BYTES = 60_000;
/** Messages (~20 MB) sent at most: far more than the kernel buffers on the way hold. */
const MAX_MESSAGES = 250;

describe('[F6] a WebSocket client that stops reading', () => {
  let full: FullStack;
  beforeAll(async () => {
    full = await startFullStack('pglite', {
      serviceEnv: { realtime: { RT_SEND_BUFFER_LIMIT: String(16 * 1024) } },
      gatewayEnv: { GATEWAY_WS_STALL_MS: '3000' },
    });
  });
  afterAll(async () => {
    await full?.stack.stop();
  });

  const openWebSockets = async () =>
    counterValue(await gatewayMetricsText(full.stack), 'lockbox_gateway_websocket_connections');

  it('[F6] paused socket under a stream of big messages: closed by the server (bounded), every message committed, a new socket with after= gets the rest exactly once', async () => {
    const [alice, bob] = [await full.user('f6a'), await full.user('f6b')];
    await makeContacts(full.api, alice, bob);
    const baseline = await openWebSockets();
    const bobClient = new ResumingClient(full.stack.gatewayUrl, bob);
    const slow = await bobClient.connect();
    slow.tcp.pause();
    expect(await openWebSockets()).toBe(baseline + 1);

    let sent = 0;
    while (sent < MAX_MESSAGES && (await openWebSockets()) > baseline) {
      const res = await full.api.post('/messages/send', {
        token: alice.token,
        body: envelopeTo(bob, { bytes: BLOB_BYTES }),
      });
      expect(res.status).toBe(201);
      sent++;
    }
    // Closed by the server side while the client still is not reading: the stall limit at the latest.
    await eventually(async () => ((await openWebSockets()) === baseline ? true : undefined), 15_000);
    for (const name of ['realtime', 'gateway']) expect(full.stack.get(name).child?.exitCode).toBeNull();
    expect((await full.api.get('/health')).status).toBe(200);

    // Reading again: what got through, in order, then the close.
    slow.tcp.resume();
    const closed = await slow.waitClosed(20_000);
    expect([1006, 1013]).toContain(closed.code);
    const committed = await committedCursors(full.api, bob);
    expect(committed).toHaveLength(sent);
    expect(slow.cursors()).toEqual(committed.slice(0, slow.cursors().length));
    expect(slow.cursors().length).toBeLessThan(sent);

    await bobClient.connect();
    await bobClient.waitForCount(sent, 60_000);
    expect(bobClient.received()).toEqual(committed);
    await eventually(async () => ((await openWebSockets()) === baseline + 1 ? true : undefined));
    bobClient.closeAll();
  });
});
