/**
 * DNS re-resolution of upstream host names, the way a Kubernetes headless
 * Service (or any name with one A/AAAA record per instance) is meant to be
 * used: `AUTH_UPSTREAMS=http://auth:8001` becomes one instance per address the
 * name resolves to, resolved again every GATEWAY_DNS_REFRESH_MS. A new address
 * is added; a vanished one is retired (ServiceUpstreams.replaceInstances closes
 * its pool after its requests in flight). An IP literal (and `localhost`, the
 * machine itself) stays one instance and is never looked up.
 *
 * A failed or empty lookup keeps the addresses the name had: a DNS blip (or a
 * resolver cut off by a partition) must not empty the balancer, and instances
 * that are really gone are already skipped by the health probes. Before a
 * name's first successful lookup it stays a host-name instance, which undici
 * resolves on each new connection, so the gateway serves from its first second.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { ServiceName } from '@lockbox/contracts';
import { RepeatingRound } from './repeating-round';
import type { InstanceTarget, UpstreamMap } from './upstreams';

/** Every address a host name resolves to (A and AAAA), in the resolver's order. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, resolv.conf search domains), all records. */
export const systemResolveHost: ResolveHost = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface DnsEvents {
  changed(service: ServiceName, change: { added: string[]; retired: string[] }): void;
  failed(hostname: string, err: Error): void;
}

const unbracketed = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/** True when the URL names a host that must be looked up (not an address, not localhost). */
export const needsLookup = (url: string): boolean => {
  const host = unbracketed(new URL(url).hostname);
  return net.isIP(host) === 0 && host !== 'localhost';
};

/** `http://auth:8001` with address 10.0.0.5 → `http://10.0.0.5:8001` (IPv6 in brackets). */
export const urlWithAddress = (url: string, address: string): string => {
  const u = new URL(url);
  u.hostname = net.isIPv6(address) ? `[${address}]` : address;
  return u.origin;
};

export class UpstreamDns {
  readonly #upstreams: UpstreamMap;
  /** The configured URLs of each service (as written in *_UPSTREAMS). */
  readonly #configured: ReadonlyMap<ServiceName, readonly string[]>;
  readonly #resolve: ResolveHost;
  readonly #intervalMs: number;
  readonly #round: RepeatingRound;
  readonly #events: Partial<DnsEvents>;
  /** The last successful lookup of each configured host-name URL. */
  readonly #known = new Map<string, InstanceTarget[]>();

  constructor(opts: {
    upstreams: UpstreamMap;
    configured: ReadonlyMap<ServiceName, readonly string[]>;
    intervalMs: number;
    resolve?: ResolveHost;
    events?: Partial<DnsEvents>;
  }) {
    this.#upstreams = opts.upstreams;
    this.#configured = opts.configured;
    this.#resolve = opts.resolve ?? systemResolveHost;
    this.#intervalMs = opts.intervalMs;
    this.#round = new RepeatingRound(() => this.#refreshAll(), opts.intervalMs);
    this.#events = opts.events ?? {};
  }

  /** Whether any configured URL names a host to look up (otherwise there is nothing to refresh). */
  get hasHostNames(): boolean {
    return [...this.#configured.values()].some((urls) => urls.some(needsLookup));
  }

  /** Re-resolves on a timer, the first round at once. */
  start(): void {
    if (!this.hasHostNames || this.#intervalMs <= 0) return;
    this.#round.start();
  }

  stop(): void {
    this.#round.stop();
  }

  /** Resolves every host name now and applies the result (joining a round already running). */
  refresh(): Promise<void> {
    return this.#round.run();
  }

  async #refreshAll(): Promise<void> {
    await Promise.all(
      [...this.#configured].map(async ([service, urls]) => {
        const upstreams = this.#upstreams.get(service);
        if (!upstreams || !urls.some(needsLookup)) return;
        const targets = (await Promise.all(urls.map((url) => this.#targetsOf(url)))).flat();
        const change = upstreams.replaceInstances(targets);
        if (change.added.length || change.retired.length) this.#events.changed?.(service, change);
      }),
    );
  }

  async #targetsOf(url: string): Promise<InstanceTarget[]> {
    if (!needsLookup(url)) return [{ url }];
    const hostname = new URL(url).hostname;
    try {
      const addresses = [...new Set(await this.#resolve(hostname))];
      if (addresses.length === 0) throw new Error(`${hostname} resolved to no address`);
      const servername = url.startsWith('https:') ? hostname : undefined;
      const targets = addresses.map((a) => ({
        url: urlWithAddress(url, a),
        ...(servername ? { servername } : {}),
      }));
      this.#known.set(url, targets);
      return targets;
    } catch (err) {
      this.#events.failed?.(hostname, err as Error);
      return this.#known.get(url) ?? [{ url }];
    }
  }
}
