/**
 * Active health: probes every instance's /ready on a timer (feeding the
 * balancer) and builds the aggregated `/health` report. A report younger than
 * REPORT_TTL_MS is reused and concurrent callers share one probe round, so
 * /health stays cheap however often it is hit.
 */
import type { ServiceName } from '@lockbox/contracts';
import type { InstanceStatus, UpstreamMap } from './upstreams';

export interface ServiceHealth {
  status: InstanceStatus | 'disabled';
  instances: Array<{ url: string; status: InstanceStatus }>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  services: Partial<Record<ServiceName, ServiceHealth>>;
}

const REPORT_TTL_MS = 1_000;

export class HealthMonitor {
  readonly #upstreams: UpstreamMap;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<HealthReport> | undefined;
  #last: { at: number; report: HealthReport } | undefined;

  constructor(upstreams: UpstreamMap, intervalMs: number) {
    this.#upstreams = upstreams;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.#timer !== undefined) this.#timer = setTimeout(tick, this.#intervalMs).unref();
      });
    };
    this.#timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The aggregated report, at most REPORT_TTL_MS old. */
  report(): Promise<HealthReport> {
    if (this.#last && Date.now() - this.#last.at < REPORT_TTL_MS) return Promise.resolve(this.#last.report);
    return this.refresh();
  }

  /** Probes every instance now (joining a round already running). */
  refresh(): Promise<HealthReport> {
    this.#inFlight ??= this.#probeAll().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #probeAll(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.#upstreams.values()].map(async (upstream): Promise<[ServiceName, ServiceHealth]> => {
        if (!upstream.enabled) return [upstream.service, { status: 'disabled', instances: [] }];
        await Promise.all(upstream.instances.map((i) => i.probe()));
        const instances = upstream.instances.map((i) => ({ url: i.url, status: i.status }));
        return [
          upstream.service,
          { status: instances.some((i) => i.status === 'up') ? 'up' : 'down', instances },
        ];
      }),
    );
    const ok = entries.every(([, h]) => h.status !== 'down');
    const report: HealthReport = { status: ok ? 'ok' : 'unavailable', services: Object.fromEntries(entries) };
    this.#last = { at: Date.now(), report };
    return report;
  }
}
