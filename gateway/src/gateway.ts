/**
 * The gateway: one node:http server that answers its own endpoints (/health,
 * /metrics, /openapi.json, /docs, the web app), refuses what must not pass
 * (too many headers, ambiguous framing, oversized bodies, internal or batched
 * tRPC, disallowed preflights, the per-IP limit), and proxies the rest to the
 * service the route table names — HTTP through undici pools, WebSocket
 * upgrades through http-proxy-3.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName } from '@lockbox/contracts';
import { type Logger, safeUrl } from '@lockbox/service-kit';
import type { Redis } from 'ioredis';
import type { AccessLog } from './access-log';
import { rawErrorResponse, refuseUpload, sendError, sendJson } from './answers';
import { CorsPolicy, VARY_ORIGIN } from './cors';
import { docsAsset } from './docs';
import { type GatewayEnv, upstreamsOf } from './env';
import { Exchange, type ExchangeObserver } from './exchange';
import { HealthMonitor } from './health';
import { type Body, BodyLimiter, ProxyHandler } from './http-proxy';
import { IpLimit } from './ip-limit';
import { GatewayMetrics } from './metrics';
import { openApiJson } from './openapi';
import { addGatewayHeaders, type ScannedRequest, scanRequestHeaders } from './request-headers';
import { RouteTable } from './route-table';
import { type MemoryAsset, memoryAsset, sendAsset } from './static-answers';
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
  /** Where the per-request lines go; none when GATEWAY_ACCESS_LOG is off. */
  accessLog?: AccessLog;
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
const PROXIED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
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
  const metrics = new GatewayMetrics(opts.instance ?? 'gateway');
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
  const proxyContext = { metrics, log };
  const bodyLimit = env.LOCKBOX_BODY_LIMIT;
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
      url: ex.req.url,
      status,
      ms,
      upstream: ex.upstream,
    });
  };

  let openApi: MemoryAsset | undefined;

  const proxy = (ex: Exchange, service: ServiceName, scanned: ScannedRequest): void => {
    const { req, res, requestId } = ex;
    const upstream = upstreams.get(service) as ServiceUpstreams;
    if (!upstream.enabled) {
      sendError(res, 'service_unavailable', `the ${service} service is not running`, requestId, {
        headers: ex.cors,
      });
      return;
    }
    if (!PROXIED_METHODS.has(req.method as string)) {
      sendError(res, 'method_not_allowed', 'method not allowed', requestId, { headers: ex.cors });
      return;
    }

    let body: Body | null = null;
    if (scanned.contentLength !== undefined) {
      // Node's parser has already checked it is a number; refuse before reading a byte.
      const length = Number(scanned.contentLength);
      if (length > bodyLimit) {
        refuseUpload(req, res, 'payload_too_large', `request body over ${bodyLimit} bytes`, requestId, {
          close: true,
          headers: ex.cors,
        });
        return;
      }
      if (length > 0) body = req;
    } else if (scanned.chunked) {
      body = req.pipe(new BodyLimiter(bodyLimit));
    }

    const clientIp = req.socket.remoteAddress ?? 'unknown';
    const headers = addGatewayHeaders(scanned.forward, gatewayToken, clientIp, requestId);
    const handler = new ProxyHandler(ex, upstream, headers, body, proxyContext);
    ipLimit.check(clientIp).then((verdict) => {
      if (ex.clientGone) return;
      if (verdict.ok) handler.start();
      else
        sendError(res, 'rate_limited', `too many requests; retry in ${verdict.retryAfter}s`, requestId, {
          retryAfter: verdict.retryAfter,
          headers: ex.cors,
        });
    });
  };

  const ownEndpoint = (ex: Exchange, kind: 'health' | 'metrics' | 'openapi' | 'docs', pathname: string) => {
    const { req, res, requestId } = ex;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'method_not_allowed', 'method not allowed', requestId);
      return;
    }
    switch (kind) {
      case 'health':
        health.report().then((report) => {
          const ok = report.status === 'ok';
          sendJson(res, ok ? 200 : 503, report, requestId, ok ? ex.cors : [...ex.cors, 'retry-after', '2']);
        });
        return;
      case 'metrics':
        metrics.registry.metrics().then((text) => {
          res.writeHead(200, {
            'content-type': metrics.registry.contentType,
            'cache-control': 'no-store',
            'x-request-id': requestId,
          });
          res.end(text);
        });
        return;
      case 'openapi':
        openApi ??= memoryAsset('application/json; charset=utf-8', openApiJson(), 'no-cache');
        sendAsset(req, res, openApi, requestId);
        return;
      case 'docs': {
        const asset = docsAsset(pathname);
        if (asset) sendAsset(req, res, asset, requestId);
        else sendError(res, 'not_found', 'not found', requestId);
        return;
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = req.rawHeaders;
    const scanned = scanRequestHeaders(raw);
    const requestId = scanned.clientRequestId ?? randomUUID();
    const ex = new Exchange(req, res, requestId, cors.headersFor(scanned.origin), observe);

    if (raw.length > maxHeaders * 2) {
      ex.route = 'refused';
      refuseUpload(req, res, 'headers_too_large', `more than ${maxHeaders} header lines`, requestId, {
        close: true,
        headers: ex.cors,
      });
      return;
    }
    if (scanned.chunked && scanned.contentLength !== undefined) {
      // Node 20's parser already refuses this (see clientError); kept so a parser change can't let it through.
      ex.route = 'refused';
      sendError(res, 'invalid_input', 'both Content-Length and Transfer-Encoding', requestId, {
        close: true,
      });
      return;
    }

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q + 1);

    if (req.method === 'OPTIONS' && scanned.preflight && scanned.origin !== undefined) {
      ex.route = 'preflight';
      const allowed = cors.preflightFor(scanned.origin);
      if (allowed) {
        res.writeHead(204, [...allowed, 'x-request-id', requestId]);
        res.end();
      } else sendError(res, 'forbidden', 'origin not allowed', requestId, { headers: VARY_ORIGIN });
      return;
    }

    const route = routes.resolve(pathname, search);
    ex.route = route.label;
    switch (route.kind) {
      case 'proxy':
        proxy(ex, route.service, scanned);
        return;
      case 'refuse':
        sendError(res, route.code, route.message, requestId, { headers: ex.cors });
        return;
      case 'web':
        if (req.method !== 'GET' && req.method !== 'HEAD')
          sendError(res, 'not_found', `no route ${req.method} ${safeUrl(pathname)}`, requestId, {
            headers: ex.cors,
          });
        else
          webApp.serve(req, res, pathname, requestId).catch((err) => {
            log.error({ err, requestId }, 'serving the web app failed');
            sendError(res, 'internal', 'internal error', requestId);
          });
        return;
      default:
        ownEndpoint(ex, route.kind, pathname);
    }
  };

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
  server.on('upgrade', ws.handleUpgrade);
  // Requests Node's parser refuses (bad framing such as Content-Length with Transfer-Encoding, header
  // overflow, timeouts) get a JSON answer in the usual shape and never reach the handler or an upstream.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const answer =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? rawErrorResponse('headers_too_large', 'request headers too large', requestId)
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT'
          ? rawErrorResponse('invalid_input', 'request timed out', requestId, { status: 408 })
          : rawErrorResponse('invalid_input', 'malformed HTTP request', requestId);
    socket.end(answer);
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    upstreams,
    health,
    metrics,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(env.PORT, env.HOST, () => {
          server.off('error', reject);
          health.start();
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : env.PORT);
        });
      }),
    close: () => {
      closing ??= (async () => {
        health.stop();
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
