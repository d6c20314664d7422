/**
 * WebSocket upgrades (`GET /ws`, `/ws/...`) proxied to a realtime instance
 * with http-proxy-3's `ws()` (a maintained rewrite of http-proxy; it relays a
 * non-101 answer — e.g. the service refusing a bad token — back to the client
 * as is). The socket stays on the instance it was upgraded on for its life.
 *
 * Refused before any upgrade: too many headers (431), a disallowed Origin
 * (403; a missing Origin is a non-browser client and passes — the realtime
 * service authenticates the token either way), the per-IP limit (429). An
 * instance that refuses the connection is skipped for the next one (nothing
 * was sent yet); when every one refuses, a clean 503 on the socket. Nothing throws.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import { createProxyServer } from 'http-proxy-3';
import { rawErrorResponse } from './answers';
import { CorsPolicy } from './cors';
import type { IpLimit } from './ip-limit';
import type { GatewayMetrics } from './metrics';
import { cleanHeaderObject, validRequestId } from './request-headers';
import { classifyUpstreamError, UNAVAILABLE_RETRY_AFTER_S, type UpstreamErrorKind } from './upstream-errors';
import type { ServiceUpstreams } from './upstreams';
import { FailoverAgent } from './ws-failover';

export interface WsProxyOptions {
  upstreams: ServiceUpstreams;
  cors: CorsPolicy;
  ipLimit: IpLimit;
  metrics: GatewayMetrics;
  log: Logger;
  gatewayToken: string;
  maxHeaders: number;
  /** The upstream must answer the handshake within this, else 504. */
  timeoutMs: number;
  /** Connecting to an instance slower than this counts as a refusal (→ the next instance). */
  connectTimeoutMs: number;
  /** A client that has not drained its socket for this long is cut off (see `#watchStall`). */
  stallMs: number;
}

type Refuse = (code: ErrorCode, message: string, retryAfter?: number) => void;

const isWsPath = (url: string): boolean => {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path === '/ws' || path.startsWith('/ws/');
};

export class WsProxy {
  readonly #opts: WsProxyOptions;
  readonly #proxy = createProxyServer({ ws: true, xfwd: false });
  /** Client sockets that were upgraded, closed at shutdown. */
  readonly #open = new Set<Duplex>();

  constructor(opts: WsProxyOptions) {
    this.#opts = opts;
    this.#proxy.on('proxyReqWs', (proxyReq, _req, socket, options) => {
      // The request has its agent now; http-proxy-3 keeps `options` for the socket's life, so
      // let go of the (per-upgrade) agent here or every open socket holds one.
      delete (options as { agent?: unknown }).agent;
      proxyReq.setTimeout(opts.timeoutMs, () =>
        proxyReq.destroy(
          Object.assign(new Error('handshake timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
        ),
      );
      proxyReq.once('upgrade', (_res, upstream: Duplex) => this.#opened(socket, upstream));
    });
    // Errors reach each call's callback; this keeps a stray one from becoming an uncaught 'error'.
    this.#proxy.on('error', (err) => opts.log.warn({ err: err.message }, 'websocket proxy error'));
  }

  /**
   * An upgraded pair. Its listeners live as long as the socket, so they are made here, away from
   * the handshake's closures: sharing their scope kept the finished upgrade request alive for the
   * socket's whole life.
   */
  #opened(socket: Duplex, upstream: Duplex): void {
    const metrics = this.#opts.metrics;
    this.#watchStall(socket, upstream);
    this.#open.add(socket);
    metrics.websocketOpened();
    socket.once('close', () => {
      this.#open.delete(socket);
      metrics.websocketClosed();
    });
  }

  /**
   * A client that stops reading: its socket's buffer stays full, so the pipe pauses the upstream,
   * and the realtime instance's own send bound closes its end — but that close waits behind the
   * unread bytes and never reaches us, so the client's socket would sit here, full, for as long as
   * the client lives. No drain for `stallMs` after a pause: reset both ends (freeing the kernel
   * buffers too); the client resumes from its last cursor when it reconnects.
   */
  #watchStall(client: Duplex, upstream: Duplex): void {
    let timer: NodeJS.Timeout | undefined;
    const cutOff = () => {
      this.#opts.log.info({ stalled_ms: this.#opts.stallMs }, 'websocket client not reading: cut off');
      for (const end of [client, upstream]) {
        const s = end as Socket;
        if (typeof s.resetAndDestroy === 'function' && !s.destroyed) s.resetAndDestroy();
        else end.destroy();
      }
    };
    upstream.on('pause', () => {
      timer ??= setTimeout(cutOff, this.#opts.stallMs).unref();
    });
    client.on('drain', () => {
      clearTimeout(timer);
      timer = undefined;
    });
    client.once('close', () => clearTimeout(timer));
  }

  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy()); // a client reset must never surface as an exception
    const opts = this.#opts;
    const requestId = validRequestId(req.headers['x-request-id']) ?? randomUUID();
    const refuse: Refuse = (code, message, retryAfter) => {
      if (socket.writable) socket.end(rawErrorResponse(code, message, requestId, { retryAfter }));
      else socket.destroy();
    };
    const url = req.url ?? '/';
    const origin = req.headers.origin;
    if (!isWsPath(url)) refuse('not_found', 'no WebSocket endpoint here');
    else if (req.rawHeaders.length > opts.maxHeaders * 2) refuse('headers_too_large', 'too many headers');
    else if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket')
      refuse('invalid_input', 'only WebSocket upgrades are supported');
    else if (
      origin !== undefined &&
      !opts.cors.isAllowed(origin) &&
      !CorsPolicy.isSameOrigin(origin, req.headers.host)
    )
      refuse('forbidden', 'origin not allowed');
    else if (!opts.upstreams.enabled) refuse('service_unavailable', 'realtime service is not running');
    else this.#admit(req, socket, head, requestId, refuse);
  };

  /** The per-IP limit, then header hygiene, then the upstream. */
  #admit(req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string, refuse: Refuse): void {
    const opts = this.#opts;
    const clientIp = req.socket.remoteAddress ?? 'unknown';
    opts.ipLimit.check(clientIp).then(
      (verdict) => {
        if (!verdict.ok) refuse('rate_limited', 'too many requests', verdict.retryAfter);
        else if (!socket.destroyed) {
          cleanHeaderObject(req.headers, opts.gatewayToken, clientIp, requestId);
          this.#forward(req, socket, head, requestId, refuse);
        }
      },
      () => refuse('internal', 'internal error'),
    );
  }

  #forward(req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string, refuse: Refuse): void {
    const opts = this.#opts;
    const first = opts.upstreams.pick();
    if (first === undefined) {
      refuse('service_unavailable', 'no realtime instance is available', UNAVAILABLE_RETRY_AFTER_S);
      return;
    }
    const failed = (upstream: string, kind: UpstreamErrorKind, err: Error, note = '') => {
      opts.metrics.upstreamError(opts.upstreams.service, kind);
      const code = (err as { code?: string }).code;
      opts.log.warn({ requestId, upstream, kind, err: { code } }, `websocket upstream failed${note}`);
    };
    let upstream = first.url;
    // Connects to `first`, or on a refusal to the next instance not tried (see FailoverAgent).
    // The callback below lives as long as the socket (http-proxy-3 keeps it): it must not hold the agent.
    const agent = new FailoverAgent(opts.upstreams, first, opts.connectTimeoutMs, {
      refused: (instance, err) => {
        opts.upstreams.eject(instance);
        failed(instance.url, 'refused', err, ': instance ejected');
      },
      connected: (instance) => {
        upstream = instance.url;
      },
    });
    this.#proxy.ws(req, socket, head, { target: first.url, agent }, (err) => {
      if (this.#open.has(socket)) {
        // Already upgraded: the stream is WebSocket frames now, so just close it.
        socket.destroy();
        return;
      }
      const kind = classifyUpstreamError(err);
      if (kind === 'refused') {
        // Every instance refused (each one counted and ejected as it did).
        refuse(
          'service_unavailable',
          'realtime service unavailable; retry shortly',
          UNAVAILABLE_RETRY_AFTER_S,
        );
        return;
      }
      failed(upstream, kind, err);
      if (kind === 'timeout') refuse('gateway_timeout', 'realtime service did not answer in time');
      else refuse('bad_gateway', 'realtime service failed');
    });
  }

  /** Closes every proxied WebSocket (shutdown). */
  closeAll(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }
}
