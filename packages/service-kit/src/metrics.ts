/**
 * Prometheus metrics: default process metrics plus one request histogram per
 * service, and the means for a service to add its own (`gaugeFrom`,
 * `histogram`) without depending on prom-client itself.
 */
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /**
   * A gauge read when Prometheus scrapes (nothing to keep up to date on the hot path).
   * `labels` are constant: bounded by construction, never a user id.
   */
  gaugeFrom(name: string, help: string, read: () => number, labels?: Record<string, string>): void;
  /** A histogram without labels; returns the function that observes one value. */
  histogram(name: string, help: string, buckets: readonly number[]): (value: number) => void;
}

export const createMetrics = (service: string, instance: string): Metrics => {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service, instance });
  client.collectDefaultMetrics({ register: registry });
  const duration = new client.Histogram({
    name: 'lockbox_http_request_duration_seconds',
    help: 'Request duration by route (procedure name), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    observeRequest: (route, method, status, seconds) =>
      duration.labels({ route, method, status: String(status) }).observe(seconds),
    gaugeFrom: (name, help, read, labels = {}) => {
      new client.Gauge({
        name,
        help,
        labelNames: Object.keys(labels),
        registers: [registry],
        collect() {
          this.set(labels, read());
        },
      });
    },
    histogram: (name, help, buckets) => {
      const h = new client.Histogram({ name, help, buckets: [...buckets], registers: [registry] });
      return (value) => h.observe(value);
    },
  };
};
