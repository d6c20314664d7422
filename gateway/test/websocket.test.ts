import type { IncomingHttpHeaders } from 'node:http';
import { client, eventually } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  deadPort,
  type FakeUpstream,
  GATEWAY_TOKEN,
  rawRequest,
  startGateway,
  startUpstream,
  statusOf,
  type TestGateway,
} from './helpers';

const ALLOWED = 'http://localhost:8000';

const upgradeRequest = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  `${extra}\r\n`;

describe('WebSocket pass-through', () => {
  let realtime: FakeUpstream;
  let wss: WebSocketServer;
  const upgrades: IncomingHttpHeaders[] = [];
  let gw: TestGateway;

  beforeAll(async () => {
    realtime = await startUpstream();
    wss = new WebSocketServer({ noServer: true });
    realtime.server.on('upgrade', (req, socket, head) => {
      upgrades.push(req.headers);
      if (req.url?.includes('token=bad')) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
      });
    });
    gw = await startGateway({ REALTIME_UPSTREAMS: realtime.url, LOCKBOX_CORS_ORIGINS: ALLOWED });
  });
  afterAll(async () => {
    await gw.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    await realtime.close();
  });

  it('proxies an upgrade and echoes messages both ways, with clean headers', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws/usr_1?token=t`, {
      headers: {
        origin: ALLOWED,
        'x-user-id': 'usr_admin',
        'x-forwarded-for': '6.6.6.6',
        'x-lockbox-internal': 'x',
      },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (d) => resolve(d.toString()));
      ws.on('error', reject);
    });
    expect(reply).toBe('echo:hello');
    const seen = upgrades.at(-1) ?? {};
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen['x-lockbox-internal']).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-lockbox-client-ip']).toBe('127.0.0.1');
    expect(seen['x-lockbox-gateway']).toBe(GATEWAY_TOKEN);
    expect(seen['x-request-id']).toEqual(expect.any(String));

    const gauge = async () =>
      Number(
        /^lockbox_gateway_websocket_connections(?:\{[^}]*\})? (\d+)/m.exec(
          (await client(gw.adminUrl).get('/metrics')).text,
        )?.[1],
      );
    expect(await gauge()).toBe(1);
    ws.close();
    await eventually(async () => ((await gauge()) === 0 ? true : undefined));
  });

  it('passes a client without Origin (CLI) through', async () => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    ws.close();
  });

  it('refuses a disallowed Origin with 403 before any upgrade', async () => {
    const before = upgrades.length;
    const raw = await rawRequest(gw.port, upgradeRequest('/ws', 'Origin: https://evil.example\r\n'));
    expect(statusOf(raw)).toBe(403);
    expect(raw).not.toContain('101 Switching');
    expect(raw).toContain('"code":"forbidden"');
    expect(upgrades.length).toBe(before);
  });

  it('relays the service refusing the upgrade', async () => {
    const raw = await rawRequest(gw.port, upgradeRequest('/ws?token=bad', `Origin: ${ALLOWED}\r\n`));
    expect(statusOf(raw)).toBe(401);
  });

  it('refuses upgrades outside /ws', async () => {
    const raw = await rawRequest(gw.port, upgradeRequest('/auth/me'));
    expect(statusOf(raw)).toBe(404);
  });
});

describe('WebSocket with the realtime service down', () => {
  it('answers a clean 503 on the socket and keeps running', async () => {
    const port = await deadPort();
    const gw = await startGateway({
      REALTIME_UPSTREAMS: `http://127.0.0.1:${port}`,
      GATEWAY_HEALTH_INTERVAL_MS: '60000',
    });
    try {
      const raw = await rawRequest(gw.port, upgradeRequest('/ws'));
      expect(statusOf(raw)).toBe(503);
      expect(raw).toMatch(/retry-after: \d+/i);
      expect(raw).toContain('"code":"service_unavailable"');
      // Ejected now: the next attempt is refused at once, still cleanly.
      expect(statusOf(await rawRequest(gw.port, upgradeRequest('/ws')))).toBe(503);
      expect((await client(gw.url).get('/openapi.json')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('answers 503 when realtime is off', async () => {
    const gw = await startGateway({ REALTIME_UPSTREAMS: 'off' });
    try {
      expect(statusOf(await rawRequest(gw.port, upgradeRequest('/ws')))).toBe(503);
    } finally {
      await gw.close();
    }
  });
});

describe('WebSocket with one of two realtime instances dead', () => {
  /** A fake realtime instance that accepts every upgrade (`port` 0: a free one). */
  const wsUpstream = async (port = 0) => {
    const up = await startUpstream(undefined, port);
    const wss = new WebSocketServer({ noServer: true });
    let upgrades = 0;
    up.server.on('upgrade', (req, socket, head) => {
      upgrades++;
      wss.handleUpgrade(req, socket, head, () => undefined);
    });
    const kill = async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await up.close();
    };
    return { ...up, kill, upgrades: () => upgrades };
  };
  const opens = (url: string) =>
    new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=t`);
      ws.once('open', () => {
        ws.terminate();
        resolve(true);
      });
      ws.once('error', () => resolve(false));
    });

  it('skips an instance that refuses the connection for the next one; 503 only when every one refuses; a restarted one serves at once', async () => {
    const a = await wsUpstream();
    const b = await wsUpstream();
    // No probe after the first: only the upgrades themselves can find the dead instance.
    const gw = await startGateway({
      REALTIME_UPSTREAMS: `${a.url},${b.url}`,
      GATEWAY_HEALTH_INTERVAL_MS: '60000',
    });
    const instances = gw.gateway.upstreams.get('realtime')?.instances ?? [];
    try {
      await a.kill();
      for (let i = 0; i < 4; i++) expect(await opens(gw.url)).toBe(true);
      expect(b.upgrades()).toBe(4);
      expect(instances.map((i) => i.status)).toEqual(['down', 'up']);

      await b.kill();
      const raw = await rawRequest(gw.port, upgradeRequest('/ws'));
      expect(statusOf(raw)).toBe(503);
      expect(raw).toMatch(/retry-after: \d+/i);
      expect(instances.map((i) => i.status)).toEqual(['down', 'down']);

      const back = await wsUpstream(a.port);
      try {
        expect(await opens(gw.url)).toBe(true);
        expect(back.upgrades()).toBe(1);
        expect(instances.map((i) => i.status)).toEqual(['up', 'down']);
      } finally {
        await back.kill();
      }
    } finally {
      await gw.close();
    }
  });
});

describe('WebSocket client that stops reading', () => {
  it('is cut off after GATEWAY_WS_STALL_MS without a drain, both ends closed; a reading client is not', async () => {
    const realtime = await startUpstream();
    const wss = new WebSocketServer({ noServer: true });
    const serverSides: WebSocket[] = [];
    realtime.server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        serverSides.push(ws);
        // Floods whoever asks: 64 KiB frames until the socket's own buffer says stop.
        ws.on('message', () => {
          const flood = () => {
            while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 1 << 20)
              ws.send(Buffer.alloc(1 << 16));
            if (ws.readyState === WebSocket.OPEN) setTimeout(flood, 20);
          };
          flood();
        });
      }),
    );
    const gw = await startGateway({ REALTIME_UPSTREAMS: realtime.url, GATEWAY_WS_STALL_MS: '1000' });
    const open = (url: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    try {
      const reader = await open(`${gw.url.replace('http', 'ws')}/ws?token=t`);
      const stalled = await open(`${gw.url.replace('http', 'ws')}/ws?token=t`);
      let closedAt: number | undefined;
      stalled.on('error', () => undefined);
      stalled.on('close', () => {
        closedAt = Date.now();
      });
      (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
      let read = 0;
      reader.on('message', (data: Buffer) => {
        read += data.length;
      });
      reader.send('go');
      stalled.send('go');
      await eventually(
        async () => (serverSides[1]?.readyState === WebSocket.CLOSED ? true : undefined),
        10_000,
      );
      (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
      await eventually(async () => (closedAt !== undefined ? true : undefined), 10_000);
      // The reader, flooded just the same, drains and stays connected.
      expect(read).toBeGreaterThan(1 << 20);
      expect(reader.readyState).toBe(WebSocket.OPEN);
      expect(serverSides[0]?.readyState).toBe(WebSocket.OPEN);
      reader.terminate();
    } finally {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await gw.close();
      await realtime.close();
    }
  });
});
