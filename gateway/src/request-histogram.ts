/**
 * The request-duration histogram, kept in plain arrays and handed to
 * prom-client only at scrape time. prom-client's own Histogram validates and
 * hashes the labels on every observe (measured as the largest single cost in
 * the gateway's request path after the proxying itself); this one does
 * a map lookup and a bucket increment. prom-client still formats /metrics: the
 * object below is a custom metric, registered like any other.
 */

/** What prom-client's registry reads from a metric when it formats /metrics. */
interface ExportedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}
interface ExportedMetric {
  name: string;
  help: string;
  type: 'histogram';
  values: ExportedValue[];
  aggregator: 'sum';
}

interface Series {
  labels: { route: string; method: string; status: string };
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class RequestHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames = ['route', 'method', 'status'];
  readonly #bounds: readonly number[];
  /** Every series, in the order first seen (what /metrics lists). */
  readonly #series: Series[] = [];
  /** route → method → status → series: lookups on the request path build no key string. */
  readonly #index = new Map<string, Map<string, Map<number, Series>>>();

  constructor(name: string, help: string, bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.#bounds = [...bounds].sort((a, b) => a - b);
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.#index.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#index.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let s = byStatus.get(status);
    if (s === undefined) {
      s = {
        labels: { route, method, status: String(status) },
        counts: new Float64Array(this.#bounds.length + 1),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, s);
      this.#series.push(s);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    (s.counts[i] as number)++;
    s.sum += seconds;
    s.count++;
  }

  /** prom-client's metric interface: called when /metrics is scraped. */
  async get(): Promise<ExportedMetric> {
    const values: ExportedValue[] = [];
    for (const s of this.#series) {
      let cumulative = 0;
      for (let i = 0; i < s.counts.length; i++) {
        cumulative += s.counts[i] as number;
        const le = i < this.#bounds.length ? (this.#bounds[i] as number) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset(): void {
    this.#series.length = 0;
    this.#index.clear();
  }
}
