/**
 * The gateway's Prometheus metrics: request duration by route prefix, method
 * and status; upstream errors by service and kind; open WebSocket connections.
 * Served on the admin listener only (admin-listener.ts). Every label is
 * bounded: routes are the route table's labels (a prefix such as `/messages`,
 * `trpc:<namespace>`, `web`, `refused`), never the raw path.
 */
import { SERVICES } from '@lockbox/contracts';
import client from 'prom-client';
import { RequestHistogram } from './request-histogram';
import { ANSWER_FOR, type UpstreamErrorKind } from './upstream-errors';

export class GatewayMetrics {
  readonly registry = new client.Registry();
  readonly #duration = new RequestHistogram(
    'lockbox_gateway_request_duration_seconds',
    'Request duration at the gateway by route prefix, method and status',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  );
  readonly #upstreamErrors: client.Counter<'service' | 'kind'>;
  readonly #websockets: client.Gauge;

  /** `worker` (1…GATEWAY_WORKERS) labels every series of one cluster worker; none in a single process. */
  constructor(instance: string, worker?: string) {
    this.registry.setDefaultLabels({ service: 'gateway', instance, ...(worker ? { worker } : {}) });
    client.collectDefaultMetrics({ register: this.registry });
    // A custom metric: prom-client formats it like its own (see request-histogram.ts).
    this.registry.registerMetric(this.#duration as unknown as client.Metric);
    this.#upstreamErrors = new client.Counter({
      name: 'lockbox_gateway_upstream_errors_total',
      help: 'Upstream failures by service and kind (refused, timeout, reset, bad_response)',
      labelNames: ['service', 'kind'] as const,
      registers: [this.registry],
    });
    // Every series exists from the start at 0, so rate() and the alerts see "no errors" rather than no data.
    for (const service of SERVICES)
      for (const kind of Object.keys(ANSWER_FOR) as UpstreamErrorKind[])
        this.#upstreamErrors.inc({ service, kind }, 0);
    this.#websockets = new client.Gauge({
      name: 'lockbox_gateway_websocket_connections',
      help: 'WebSocket connections currently proxied',
      registers: [this.registry],
    });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    // Methods are whatever the client sent: bound the label set.
    this.#duration.observe(route, KNOWN_METHODS.has(method) ? method : 'OTHER', status, seconds);
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
