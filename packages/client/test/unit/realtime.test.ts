/** The realtime client against a scripted local WebSocket server: resume, dedupe, backoff, session end. */
import type { AddressInfo } from 'node:net';
import { eventually } from '@lockbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { createBackoff, RealtimeClient, type RealtimeOptions } from '../../src';
import { nodeWebSocket } from '../../src/node';

const ALICE = 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const BOB = 'usr_bbbbbbbbbbbbbbbbbbbbbbbbbb';
const message = (n: number) =>
  JSON.stringify({
    type: 'new_message',
    data: { id: `msg_${n}`, cursor: String(n), sender_id: ALICE, recipient_id: BOB, encrypted_blob: 'AAAA' },
  });

interface Connection {
  url: URL;
  protocols: string[];
  socket: WebSocket;
}

const until = (assertion: () => void, timeoutMs = 10_000) =>
  eventually(async () => {
    assertion();
    return true;
  }, timeoutMs);

let server: WebSocketServer | undefined;
let client: RealtimeClient | undefined;
afterEach(async () => {
  await client?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  client = undefined;
});

const startServer = async (opts: { refuse?: () => boolean } = {}) => {
  const connections: Connection[] = [];
  server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('lockbox.v1') ? 'lockbox.v1' : false),
    verifyClient: (_info, done) => done(!opts.refuse?.(), 401),
  });
  server.on('connection', (socket, req) => {
    connections.push({
      url: new URL(req.url ?? '/', 'http://x'),
      protocols: String(req.headers['sec-websocket-protocol']).split(/,\s*/),
      socket,
    });
  });
  await new Promise<void>((r) => server?.once('listening', () => r()));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, connections };
};

const makeClient = (baseUrl: string, extra: Partial<RealtimeOptions> = {}) => {
  const handled: string[] = [];
  const cursors: string[] = [];
  client = new RealtimeClient({
    baseUrl,
    webSocket: nodeWebSocket,
    getToken: async () => 'tok',
    onFrame: (f) => {
      if (f.type === 'new_message') handled.push(f.data.id);
    },
    onCursor: (c) => void cursors.push(c),
    backoff: { baseMs: 10, capMs: 50 },
    ...extra,
  });
  client.start();
  return { handled, cursors, client };
};

describe('RealtimeClient', () => {
  it('authenticates by subprotocol, never in the URL', async () => {
    const { baseUrl, connections } = await startServer();
    makeClient(baseUrl, { cursor: '7' });
    await until(() => expect(connections).toHaveLength(1));
    const c = connections[0] as Connection;
    expect(c.url.pathname).toBe('/v1/ws');
    expect(c.url.searchParams.get('after')).toBe('7');
    expect(c.url.search).not.toContain('tok');
    expect(c.protocols).toEqual(['lockbox.v1', 'bearer.tok']);
  });

  it('reconnects after a drop, resumes after the last handled cursor, and skips a replayed duplicate', async () => {
    const { baseUrl, connections } = await startServer();
    const { handled, cursors } = makeClient(baseUrl);
    await until(() => expect(connections).toHaveLength(1));
    const first = connections[0] as Connection;
    expect(first.url.searchParams.has('after')).toBe(false);
    first.socket.send(message(1));
    first.socket.send(message(2));
    await until(() => expect(handled).toEqual(['msg_1', 'msg_2']));
    first.socket.terminate();
    await until(() => expect(connections).toHaveLength(2));
    const second = connections[1] as Connection;
    expect(second.url.searchParams.get('after')).toBe('2');
    second.socket.send(message(2)); // a resume racing a live delivery
    second.socket.send(message(3));
    second.socket.send(JSON.stringify({ type: 'resumed', data: { cursor: '3', replayed: 1 } }));
    await until(() => expect(handled).toEqual(['msg_1', 'msg_2', 'msg_3']));
    expect(cursors).toEqual(['1', '2', '3']);
  });

  it('hands frames over one at a time, in order, even when handling is slow', async () => {
    const { baseUrl, connections } = await startServer();
    const order: string[] = [];
    makeClient(baseUrl, {
      onFrame: async (f) => {
        if (f.type !== 'new_message') return;
        await new Promise((r) => setTimeout(r, f.data.id === 'msg_1' ? 50 : 0));
        order.push(f.data.id);
      },
    });
    await until(() => expect(connections).toHaveLength(1));
    for (const n of [1, 2, 3]) connections[0]?.socket.send(message(n));
    await until(() => expect(order).toEqual(['msg_1', 'msg_2', 'msg_3']));
  });

  it('ignores frames it cannot parse or does not know', async () => {
    const { baseUrl, connections } = await startServer();
    const { handled } = makeClient(baseUrl);
    await until(() => expect(connections).toHaveLength(1));
    connections[0]?.socket.send('not json');
    connections[0]?.socket.send(JSON.stringify({ type: 'from_the_future', data: {} }));
    connections[0]?.socket.send(message(1));
    await until(() => expect(handled).toEqual(['msg_1']));
  });

  it('stops for good when the server ends the session (4001)', async () => {
    const { baseUrl, connections } = await startServer();
    let ended = 0;
    makeClient(baseUrl, { onSessionEnded: () => ended++ });
    await until(() => expect(connections).toHaveLength(1));
    connections[0]?.socket.close(4001, 'session ended');
    await until(() => expect(ended).toBe(1));
    await new Promise((r) => setTimeout(r, 200));
    expect(connections).toHaveLength(1);
  });

  it('asks for a refreshed token after a refused upgrade', async () => {
    let refuse = true;
    const { baseUrl, connections } = await startServer({ refuse: () => refuse });
    const asked: boolean[] = [];
    makeClient(baseUrl, {
      getToken: async ({ forceRefresh }) => {
        asked.push(forceRefresh);
        if (forceRefresh) refuse = false;
        return forceRefresh ? 'fresh' : 'stale';
      },
    });
    await until(() => expect(connections).toHaveLength(1));
    expect(asked.slice(0, 2)).toEqual([false, true]);
    expect(connections[0]?.protocols).toContain('bearer.fresh');
  });

  it('stops reconnecting when there is no token any more (logged out elsewhere)', async () => {
    const { baseUrl, connections } = await startServer();
    let ended = 0;
    makeClient(baseUrl, { getToken: async () => undefined, onSessionEnded: () => ended++ });
    await until(() => expect(ended).toBe(1));
    expect(connections).toHaveLength(0);
  });
});

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter, and resets', () => {
    const top = createBackoff({ baseMs: 100, capMs: 1_000, random: () => 0.999_999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([99, 199, 399, 799, 999, 999]);
    top.reset();
    expect(top.next()).toBe(99);
    const bottom = createBackoff({ baseMs: 100, random: () => 0 });
    expect(bottom.next()).toBe(0);
  });
});
