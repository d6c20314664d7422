/**
 * Active health: probes every instance's /ready on a timer (feeding the
 * balancer) and builds the aggregated `/health` report. A probe round younger
 * than PROBE_TTL_MS is reused and concurrent callers share one round, so
 * /health stays cheap however often it is hit.
 */
import type { ServiceName } from '@lockbox/contracts';
import { RepeatingRound } from './repeating-round';
import type { InstanceStatus, UpstreamMap } from './upstreams';

export interface ServiceHealth {
  status: InstanceStatus | 'disabled';
  instances: Array<{ url: string; status: InstanceStatus }>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  services: Partial<Record<ServiceName, ServiceHealth>>;
}

const PROBE_TTL_MS = 1_000;
/**
 * While a service is down, a round is reused only briefly: a deployment waiting for `/health`
 * (a start script, a readiness gate) sees the recovery at once instead of up to a second late.
 * Concurrent callers still share one round, so this bounds the probe rate, not raises it freely.
 */
const DOWN_PROBE_TTL_MS = 150;

export class HealthMonitor {
  readonly #upstreams: UpstreamMap;
  readonly #round: RepeatingRound;
  #probedAt = 0;
  #allUp = false;

  constructor(upstreams: UpstreamMap, intervalMs: number) {
    this.#upstreams = upstreams;
    this.#round = new RepeatingRound(() => this.#probeAll(), intervalMs);
  }

  start(): void {
    this.#round.start();
  }

  stop(): void {
    this.#round.stop();
  }

  /**
   * The aggregated report: instances are probed again when the last round is
   * older than PROBE_TTL_MS; the report itself always reflects the current
   * state (passive ejections included).
   */
  async report(): Promise<HealthReport> {
    const ttl = this.#allUp ? PROBE_TTL_MS : DOWN_PROBE_TTL_MS;
    if (Date.now() - this.#probedAt >= ttl) await this.refresh();
    return this.#build();
  }

  /** Probes every instance now (joining a round already running). */
  refresh(): Promise<void> {
    return this.#round.run();
  }

  async #probeAll(): Promise<void> {
    await Promise.all(
      [...this.#upstreams.values()].flatMap((upstream) => upstream.instances.map((i) => i.probe())),
    );
    this.#probedAt = Date.now();
    this.#allUp = [...this.#upstreams.values()].every(
      (upstream) => !upstream.enabled || upstream.instances.some((i) => i.status === 'up'),
    );
  }

  #build(): HealthReport {
    const entries = [...this.#upstreams.values()].map((upstream): [ServiceName, ServiceHealth] => {
      if (!upstream.enabled) return [upstream.service, { status: 'disabled', instances: [] }];
      const instances = upstream.instances.map((i) => ({ url: i.url, status: i.status }));
      return [
        upstream.service,
        { status: instances.some((i) => i.status === 'up') ? 'up' : 'down', instances },
      ];
    });
    const ok = entries.every(([, h]) => h.status !== 'down');
    return { status: ok ? 'ok' : 'unavailable', services: Object.fromEntries(entries) };
  }
}
