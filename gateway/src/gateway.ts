/**
 * The gateway: one node:http server that answers its own endpoints (/health,
 * /openapi.json, /docs, the web app; /metrics is on the admin listener), refuses what must not pass
 * (too many headers, ambiguous framing, oversized bodies, internal or batched
 * tRPC, disallowed preflights, the per-IP limit), and proxies the rest to the
 * service the route table names — HTTP through undici pools, WebSocket
 * upgrades through http-proxy-3.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import type { Redis } from 'ioredis';
import type { AccessLog } from './access-log';
import { sendError } from './answers';
import { unversionRequest } from './api-version';
import { answerClientError } from './client-error';
import { CorsPolicy } from './cors';
import { type GatewayEnv, upstreamsOf } from './env';
import type { ExchangeObserver } from './exchange';
import { createRequestHandler } from './handle-request';
import { HealthMonitor } from './health';
import { IpLimit } from './ip-limit';
import { GatewayMetrics } from './metrics';
import { createOwnEndpoints } from './own-endpoints';
import { createProxyRequest } from './proxy-request';
import { RouteTable } from './route-table';
import { type ResolveHost, UpstreamDns } from './upstream-dns';
import { type PoolSettings, ServiceUpstreams } from './upstreams';
import { WebApp } from './web-app';
import { WsProxy } from './ws-proxy';

export interface GatewayOptions {
  env: GatewayEnv;
  log: Logger;
  /** The credential with which the gateway vouches for the client address it forwards. */
  gatewayToken: string;
  redis?: Redis;
  /** Names this gateway in metrics (LOCKBOX_INSTANCE). */
  instance?: string;
  /** The cluster worker slot (GATEWAY_WORKERS > 1): a `worker` label on every metric. */
  worker?: string;
  /** Where the per-request lines go; none when GATEWAY_ACCESS_LOG is off. */
  accessLog?: AccessLog;
  /** Looks up upstream host names (default: the system resolver); tests inject their own. */
  resolveHost?: ResolveHost;
}

export interface Gateway {
  server: http.Server;
  upstreams: ReadonlyMap<ServiceName, ServiceUpstreams>;
  health: HealthMonitor;
  metrics: GatewayMetrics;
  /** Starts listening (and the health checks); resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting, lets requests in flight finish (up to 10 s), closes sockets and pools. */
  close(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DRAIN_MS = 10_000;

export const createGateway = (opts: GatewayOptions): Gateway => {
  const { env, log, gatewayToken } = opts;
  const routes = new RouteTable();
  const cors = new CorsPolicy(env.LOCKBOX_CORS_ORIGINS);
  const settings: PoolSettings = {
    connections: env.GATEWAY_UPSTREAM_CONNECTIONS,
    timeoutMs: env.GATEWAY_UPSTREAM_TIMEOUT_MS,
    connectTimeoutMs: env.GATEWAY_CONNECT_TIMEOUT_MS,
    ejectMs: env.GATEWAY_EJECT_MS,
  };
  const upstreams = new Map<ServiceName, ServiceUpstreams>(
    SERVICES.map((s) => [s, new ServiceUpstreams(s, upstreamsOf(env, s), settings)]),
  );
  const health = new HealthMonitor(upstreams, env.GATEWAY_HEALTH_INTERVAL_MS);
  const dns = new UpstreamDns({
    upstreams,
    configured: new Map(SERVICES.map((s) => [s, upstreamsOf(env, s)])),
    intervalMs: env.GATEWAY_DNS_REFRESH_MS,
    ...(opts.resolveHost ? { resolve: opts.resolveHost } : {}),
    events: {
      changed: (service, change) => log.info({ service, ...change }, 'upstream instances changed (DNS)'),
      failed: (hostname, err) => log.warn({ hostname, err: err.message }, 'upstream DNS lookup failed'),
    },
  });
  const metrics = new GatewayMetrics(opts.instance ?? 'gateway', opts.worker);
  const ipLimit = new IpLimit(
    env.RL_GATEWAY_PER_IP,
    env.RL_GATEWAY_WINDOW_S,
    opts.redis,
    env.LOCKBOX_REDIS_PREFIX,
    log,
  );
  const webRoot = path.isAbsolute(env.LOCKBOX_WEB_DIST)
    ? env.LOCKBOX_WEB_DIST
    : path.resolve(process.env.LOCKBOX_ROOT ?? REPO_ROOT, env.LOCKBOX_WEB_DIST);
  const webApp = new WebApp(webRoot);
  const maxHeaders = env.GATEWAY_MAX_HEADERS;
  const accessLog = opts.accessLog;
  const ws = new WsProxy({
    upstreams: upstreams.get('realtime') as ServiceUpstreams,
    cors,
    ipLimit,
    metrics,
    log,
    gatewayToken,
    maxHeaders,
    timeoutMs: env.GATEWAY_UPSTREAM_TIMEOUT_MS,
    connectTimeoutMs: env.GATEWAY_CONNECT_TIMEOUT_MS,
    stallMs: env.GATEWAY_WS_STALL_MS,
  });

  const observe: ExchangeObserver = (ex, status, ms) => {
    metrics.observeRequest(ex.route, ex.req.method ?? 'GET', status, ms / 1000);
    accessLog?.write({
      requestId: ex.requestId,
      method: ex.req.method,
      url: ex.clientUrl,
      status,
      ms,
      upstream: ex.upstream,
    });
  };

  const handle = createRequestHandler({
    routes,
    cors,
    maxHeaders,
    observe,
    proxy: createProxyRequest({
      upstreams,
      ipLimit,
      metrics,
      log,
      gatewayToken,
      bodyLimit: env.LOCKBOX_BODY_LIMIT,
    }),
    ownEndpoint: createOwnEndpoints(health),
    webApp,
    log,
  });

  const server = http.createServer(
    // 32 KiB of headers, as the services accept: an oversized bearer token then gets the
    // token check's clear 401 instead of Node's bare 431.
    { keepAliveTimeout: 65_000, headersTimeout: 20_000, requestTimeout: 120_000, maxHeaderSize: 32 * 1024 },
    (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        log.error({ err }, 'unhandled request error');
        if (!res.headersSent) sendError(res, 'internal', 'internal error', randomUUID());
        else res.destroy();
      }
    },
  );
  // Node keeps up to 2000 header lines (all within its 16 KiB header size limit); `handle` refuses more
  // than maxHeaders with 431. Lowering maxHeadersCount instead would silently drop the extra lines —
  // Host among them, which Node then answers with a bare 400 of its own.
  server.on('upgrade', (req, socket, head) => {
    unversionRequest(req); // `/v1/ws` is `/ws` (api-version.ts)
    ws.handleUpgrade(req, socket, head);
  });
  // Requests Node's parser refuses get a JSON answer in the usual shape (see client-error.ts).
  server.on('clientError', answerClientError);

  let closing: Promise<void> | undefined;
  return {
    server,
    upstreams,
    health,
    metrics,
    listen: async () => {
      // Resolve host names before serving, bounded: a slow resolver must not hold the gateway
      // back (names not resolved yet are connected to by name meanwhile).
      if (dns.hasHostNames && env.GATEWAY_DNS_REFRESH_MS > 0)
        await Promise.race([
          dns.refresh(),
          new Promise((r) => setTimeout(r, env.GATEWAY_CONNECT_TIMEOUT_MS)),
        ]);
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(env.PORT, env.HOST, () => {
          server.off('error', reject);
          health.start();
          dns.start();
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : env.PORT);
        });
      });
    },
    close: () => {
      closing ??= (async () => {
        health.stop();
        dns.stop();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        ws.closeAll();
        await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
        server.closeAllConnections();
        await Promise.all([...upstreams.values()].map((u) => u.close()));
        await accessLog?.flush();
      })();
      return closing;
    },
  };
};
