/**
 * A service's upstream instances: one undici keep-alive Pool per instance,
 * round-robin across them, and health-based ejection:
 * - passive: an instance that refuses a connection is skipped for GATEWAY_EJECT_MS;
 * - active: every instance's `/ready` is polled every GATEWAY_HEALTH_INTERVAL_MS;
 *   a not-ready instance is skipped until it answers 200 again.
 * Before its first probe an instance counts as up, so a fresh gateway serves at once.
 * When every instance is down, a request still tries them (round-robin, as NGINX
 * does) instead of answering 503 untried: an instance that restarted serves at
 * once, and an answer marks it up without waiting for the next probe.
 * The instance list can be replaced while serving (DNS re-resolution, upstream-dns.ts):
 * instances that stay keep their pool and health; vanished ones are retired, their pool
 * closed once its requests in flight are done.
 */
import type { ServiceName } from '@lockbox/contracts';
import { Pool } from 'undici';
import { classifyUpstreamError } from './upstream-errors';

export interface PoolSettings {
  connections: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  ejectMs: number;
}

export type InstanceStatus = 'up' | 'down';

const PROBE_TIMEOUT_MS = 1_500;
const PROBE_TIMEOUTS_TO_DOWN = 3;

export class UpstreamInstance {
  readonly url: string;
  readonly pool: Pool;
  /** Result of the last /ready probe (undefined before the first). */
  ready: boolean | undefined;
  /** Passive ejection: skipped until this time (ms since epoch). */
  ejectedUntil = 0;
  #slowProbes = 0;
  /** The last probe failed to connect (or broke off): an answer proves it wrong. */
  #unreachable = false;

  /**
   * @param servername the host name to present in TLS (SNI) when `url` holds an address that
   * a host name resolved to; the certificate is for the name, not the address.
   */
  constructor(url: string, settings: PoolSettings, servername?: string) {
    this.url = url;
    this.pool = new Pool(url, {
      ...(servername ? { connect: { servername } } : {}),
      connections: settings.connections,
      pipelining: 1,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connectTimeout: settings.connectTimeoutMs,
      keepAliveTimeout: 30_000,
    });
    // A pool with no request in flight may still emit errors from idle sockets.
    this.pool.on('connectionError', () => undefined);
  }

  isAvailable(now: number): boolean {
    return this.ready !== false && this.ejectedUntil <= now;
  }

  get status(): InstanceStatus {
    return this.ready === false || this.ejectedUntil > Date.now() ? 'down' : 'up';
  }

  /**
   * It answered a request (or took a WebSocket's connection): reachable again, so a passive
   * ejection ends and so does a failed probe's verdict when that probe could not connect —
   * ahead of the next probe. A probe that was answered "not ready" (or too slowly) stands.
   */
  reached(): void {
    this.ejectedUntil = 0;
    if (this.#unreachable) {
      this.#unreachable = false;
      this.ready = true;
    }
  }

  /**
   * GET /ready. A refusal or a non-200 answer marks the instance down at once;
   * a slow answer only after PROBE_TIMEOUTS_TO_DOWN in a row, so an instance
   * that is merely busy (a login burst) is not ejected while serving. Never throws.
   */
  async probe(): Promise<boolean> {
    try {
      const res = await this.pool.request({
        path: '/ready',
        method: 'GET',
        headersTimeout: PROBE_TIMEOUT_MS,
        bodyTimeout: PROBE_TIMEOUT_MS,
      });
      await res.body.dump();
      this.ready = res.statusCode === 200;
      this.#slowProbes = 0;
      this.#unreachable = false;
    } catch (err) {
      if (classifyUpstreamError(err) === 'timeout') {
        this.#slowProbes++;
        if (this.#slowProbes >= PROBE_TIMEOUTS_TO_DOWN) this.ready = false;
      } else {
        this.ready = false;
        this.#slowProbes = 0;
        this.#unreachable = true;
      }
    }
    if (this.ready) this.ejectedUntil = 0;
    return this.ready !== false;
  }
}

/** `pick`'s default: shared, so a request that has tried nothing allocates nothing. */
const NONE_TRIED: readonly UpstreamInstance[] = [];

/** An instance to run: its base URL, and the TLS name when the URL holds a resolved address. */
export interface InstanceTarget {
  url: string;
  servername?: string;
}

/** How long a retired instance's requests in flight may take before its pool is destroyed. */
const RETIRE_DRAIN_MS = 30_000;

export class ServiceUpstreams {
  readonly service: ServiceName;
  readonly #settings: PoolSettings;
  /** Replaced whole, never changed in place: a loop over the old list finishes on the old list. */
  #instances: readonly UpstreamInstance[];
  #next = 0;

  constructor(service: ServiceName, urls: readonly string[], settings: PoolSettings) {
    this.service = service;
    this.#settings = settings;
    this.#instances = urls.map((url) => new UpstreamInstance(url, settings));
  }

  get instances(): readonly UpstreamInstance[] {
    return this.#instances;
  }

  /**
   * Makes `targets` the instance list: an instance already there stays as it is (pool, health,
   * ejection); a new one is added, counting as up until probed; one no longer listed is
   * retired — no new request goes to it, and its pool closes after the requests in flight
   * (destroyed if they take longer than RETIRE_DRAIN_MS). Answers the added and retired URLs.
   */
  replaceInstances(targets: readonly InstanceTarget[]): { added: string[]; retired: string[] } {
    const current = new Map(this.#instances.map((i) => [i.url, i]));
    const wanted = new Map(targets.map((t) => [t.url, t]));
    const added: string[] = [];
    const next = [...wanted.values()].map((t) => {
      const kept = current.get(t.url);
      if (kept) return kept;
      added.push(t.url);
      return new UpstreamInstance(t.url, this.#settings, t.servername);
    });
    const retired = this.#instances.filter((i) => !wanted.has(i.url));
    if (added.length === 0 && retired.length === 0) return { added, retired: [] };
    this.#instances = next;
    this.#next = next.length ? this.#next % next.length : 0;
    for (const gone of retired) void retire(gone);
    return { added, retired: retired.map((i) => i.url) };
  }

  /** False when the service is turned off (`*_UPSTREAMS=off`). */
  get enabled(): boolean {
    return this.instances.length > 0;
  }

  /**
   * The next available instance in round-robin order, skipping those `tried`. When every
   * instance is down, the next one not yet tried all the same (a restarted instance would
   * otherwise wait for its next probe); undefined when none is left.
   */
  pick(tried: readonly UpstreamInstance[] = NONE_TRIED): UpstreamInstance | undefined {
    const list = this.#instances;
    if (list.length === 1) {
      const only = list[0] as UpstreamInstance;
      return tried.includes(only) ? undefined : only;
    }
    const now = Date.now();
    const found = this.#scan(tried, (c) => c.isAvailable(now));
    if (found !== undefined || list.some((c) => c.isAvailable(now))) return found;
    return this.#scan(tried, () => true);
  }

  /** The first instance from the round-robin position on that is not `tried` and passes `ok`. */
  #scan(
    tried: readonly UpstreamInstance[],
    ok: (c: UpstreamInstance) => boolean,
  ): UpstreamInstance | undefined {
    const list = this.#instances;
    const n = list.length;
    for (let i = 0; i < n; i++) {
      const candidate = list[(this.#next + i) % n] as UpstreamInstance;
      if (!tried.includes(candidate) && ok(candidate)) {
        this.#next = (this.#next + i + 1) % n;
        return candidate;
      }
    }
    return undefined;
  }

  eject(instance: UpstreamInstance): void {
    instance.ejectedUntil = Date.now() + this.#settings.ejectMs;
  }

  async close(): Promise<void> {
    await Promise.all(this.#instances.map((i) => i.pool.close().catch(() => i.pool.destroy())));
  }
}

/** Closes a removed instance's pool once its requests in flight are done (bounded). */
const retire = async (instance: UpstreamInstance): Promise<void> => {
  const timer = setTimeout(() => void instance.pool.destroy().catch(() => undefined), RETIRE_DRAIN_MS);
  timer.unref();
  await instance.pool.close().catch(() => instance.pool.destroy().catch(() => undefined));
  clearTimeout(timer);
};

/** Every service's upstreams, keyed by service name. */
export type UpstreamMap = ReadonlyMap<ServiceName, ServiceUpstreams>;
