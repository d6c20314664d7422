/**
 * Test fixtures: fake upstream services (plain node:http on free ports, which
 * record what they received), an in-process gateway pointed at them, and a
 * raw-socket client for requests a normal HTTP client refuses to send.
 */

import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import type { Redis } from 'ioredis';
import pino from 'pino';
import type { AccessLog } from '../src/access-log';
import { createAdminListener } from '../src/admin-listener';
import { parseGatewayEnv } from '../src/env';
import { createGateway, type Gateway } from '../src/gateway';
import type { ResolveHost } from '../src/upstream-dns';

export const GATEWAY_TOKEN = 'test-gateway-token-0123456789abcdef';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeUpstream {
  url: string;
  port: number;
  server: http.Server;
  received: Received[];
  /** Answers 503 on /ready while false. */
  ready: boolean;
  close(): Promise<void>;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const defaultHandler: UpstreamHandler = (req, res) => {
  const body = JSON.stringify({ ok: true, url: req.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/**
 * A fake service: `/ready` answers per `ready`, everything else goes to `handler` after the body is read.
 * `port` 0 takes a free one; another restarts a fake on a port a closed one had.
 */
export const startUpstream = async (
  handler: UpstreamHandler = defaultHandler,
  port = 0,
): Promise<FakeUpstream> => {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/ready') {
      res.writeHead(up.ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: up.ready ? 'ready' : 'unavailable' }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as net.AddressInfo).port;
  const up: FakeUpstream = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    server,
    received,
    ready: true,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return up;
};

/** A port nothing listens on (bound, then released). */
export const deadPort = async (): Promise<number> => {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
};

export interface TestGateway {
  url: string;
  port: number;
  /** The operator listener (GET /metrics), as main.ts starts it, on its own free port. */
  adminUrl: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/** The real gateway in-process, on a free port; `env` overrides the test defaults. */
export const startGateway = async (
  env: Record<string, string> = {},
  deps: { redis?: Redis; resolveHost?: ResolveHost; accessLog?: AccessLog } = {},
): Promise<TestGateway> => {
  const parsed = parseGatewayEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_UPSTREAMS: 'off',
    MESSAGES_UPSTREAMS: 'off',
    REALTIME_UPSTREAMS: 'off',
    GATEWAY_HEALTH_INTERVAL_MS: '200',
    ...env,
  });
  const gateway = createGateway({
    env: parsed,
    log: pino({ level: 'silent' }),
    gatewayToken: GATEWAY_TOKEN,
    ...deps,
  });
  const port = await gateway.listen();
  const admin = createAdminListener({
    host: '127.0.0.1',
    port: 0,
    metrics: gateway.metrics.registry,
    health: gateway.health,
  });
  const adminPort = await admin.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    gateway,
    close: async () => {
      await Promise.all([gateway.close(), admin.close()]);
    },
  };
};

/**
 * Sends raw bytes and collects what comes back until the server closes the
 * connection or `idleMs` passes without data.
 */
export const rawRequest = (port: number, payload: string, idleMs = 1_000): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    socket.on('connect', () => {
      socket.write(payload);
      arm();
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (err) => (chunks.length ? done() : reject(err)));
  });

/** Status code of a raw HTTP response text. */
export const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
