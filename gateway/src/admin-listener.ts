/**
 * The operator's listener: a second HTTP server, on GATEWAY_ADMIN_HOST
 * (loopback by default) and GATEWAY_ADMIN_PORT, answering GET /metrics
 * (Prometheus text) and GET /health (the same report as the public port).
 * Metrics name routes, instances and error rates: useful to an attacker
 * mapping the deployment, so they are not on the public port.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { sendError, sendJson } from './answers';
import type { HealthReport } from './health';

/** A Prometheus text source: one process's registry, or the cluster primary's view of all workers. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface HealthSource {
  report(): Promise<HealthReport>;
}

export interface AdminListenerOptions {
  host: string;
  /** 0 picks a free port (tests); main.ts builds no listener when GATEWAY_ADMIN_PORT is 0 (off). */
  port: number;
  metrics: MetricsSource;
  health: HealthSource;
}

export interface AdminListener {
  server: http.Server;
  /** Resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export const createAdminListener = (opts: AdminListenerOptions): AdminListener => {
  const { metrics, health } = opts;
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    const q = (req.url ?? '/').indexOf('?');
    const pathname = q === -1 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'method_not_allowed', 'method not allowed', requestId);
      return;
    }
    if (pathname === '/metrics') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        () => sendError(res, 'internal', 'metrics unavailable', requestId),
      );
      return;
    }
    if (pathname === '/health') {
      health.report().then(
        (report) => sendJson(res, report.status === 'ok' ? 200 : 503, report, requestId),
        () => sendError(res, 'internal', 'health unavailable', requestId),
      );
      return;
    }
    sendError(res, 'not_found', 'not found', requestId);
  });
  // A scraper keeps one connection: no need for the public port's long keep-alive.
  server.keepAliveTimeout = 10_000;

  return {
    server,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : opts.port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
