/**
 * The gateway's Prometheus metrics: request duration by route prefix, method
 * and status; upstream errors by service and kind; open WebSocket connections.
 * Label children are cached so observing a request costs a map lookup, not a
 * label hash.
 */
import client from 'prom-client';
import type { UpstreamErrorKind } from './upstream-errors';

export class GatewayMetrics {
  readonly registry = new client.Registry();
  readonly #duration: client.Histogram<'route' | 'method' | 'status'>;
  readonly #upstreamErrors: client.Counter<'service' | 'kind'>;
  readonly #websockets: client.Gauge;
  readonly #children = new Map<string, client.Histogram.Internal<'route' | 'method' | 'status'>>();

  constructor(instance: string) {
    this.registry.setDefaultLabels({ service: 'gateway', instance });
    client.collectDefaultMetrics({ register: this.registry });
    this.#duration = new client.Histogram({
      name: 'lockbox_gateway_request_duration_seconds',
      help: 'Request duration at the gateway by route prefix, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [this.registry],
    });
    this.#upstreamErrors = new client.Counter({
      name: 'lockbox_gateway_upstream_errors_total',
      help: 'Upstream failures by service and kind (refused, timeout, reset, bad_response)',
      labelNames: ['service', 'kind'] as const,
      registers: [this.registry],
    });
    this.#websockets = new client.Gauge({
      name: 'lockbox_gateway_websocket_connections',
      help: 'WebSocket connections currently proxied',
      registers: [this.registry],
    });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      // Methods are whatever the client sent: bound the label set.
      const m = KNOWN_METHODS.has(method) ? method : 'OTHER';
      child = this.#duration.labels({ route, method: m, status: String(status) });
      if (this.#children.size < 10_000) this.#children.set(key, child);
    }
    child.observe(seconds);
  }

  upstreamError(service: string, kind: UpstreamErrorKind): void {
    this.#upstreamErrors.inc({ service, kind });
  }

  websocketOpened(): void {
    this.#websockets.inc();
  }

  websocketClosed(): void {
    this.#websockets.dec();
  }
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
