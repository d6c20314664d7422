/**
 * The gateway's settings, read once and parsed with zod (see .env.example).
 * On top of service-kit's base env (HOST, LOG_LEVEL, LOCKBOX_DATA_DIR,
 * LOCKBOX_INTERNAL_SECRET, REDIS_URL, LOCKBOX_BODY_LIMIT, …).
 *
 * HOST stays at the base default 127.0.0.1: `npm start` on a laptop should not
 * open the messenger to the whole network by surprise. A deployment that puts
 * the gateway on the network sets HOST=0.0.0.0 (only the gateway: the services
 * behind it keep listening on loopback).
 */
import os from 'node:os';
import { DEFAULT_PORTS, GATEWAY_PORT, SERVICES, type ServiceName } from '@lockbox/contracts';
import { deployable } from '@lockbox/contracts/deployables';
import { zIntSetting as int, loadEnv, ZBaseEnv, zBoolish, zOriginList } from '@lockbox/service-kit';
import { z } from 'zod';

/** A base URL of one upstream instance: http(s), host and port, no path, query or credentials. */
const upstreamUrl = z
  .string()
  .trim()
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL` });
      return z.NEVER;
    }
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      (url.pathname !== '/' && url.pathname !== '') ||
      url.search ||
      url.hash ||
      url.username ||
      url.password
    ) {
      ctx.addIssue({ code: 'custom', message: `"${value}" must be a bare http(s)://host:port base URL` });
      return z.NEVER;
    }
    return url.origin;
  });

/** `http://a:8001,http://b:8001`, or `off` (the service is not run: its routes answer 503). */
const upstreamList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => (v.trim().toLowerCase() === 'off' ? '' : v))
    .pipe(
      z
        .string()
        .transform((v) => v.split(',').filter((s) => s.trim() !== ''))
        .pipe(z.array(upstreamUrl)),
    )
    .transform((urls) => [...new Set(urls)]);

const upstreamKeys = Object.fromEntries(
  SERVICES.map((s) => [`${s.toUpperCase()}_UPSTREAMS`, upstreamList(`http://127.0.0.1:${DEFAULT_PORTS[s]}`)]),
) as Record<`${Uppercase<ServiceName>}_UPSTREAMS`, ReturnType<typeof upstreamList>>;

export const ZGatewayEnv = ZBaseEnv.extend({
  PORT: int(GATEWAY_PORT, 0, 65_535),
  ...upstreamKeys,
  /** Browser origins allowed to call the API with credentials (comma list). Never `*`. */
  LOCKBOX_CORS_ORIGINS: zOriginList,
  /** An upstream that has not answered its headers (or the next body chunk) by then → 504. */
  GATEWAY_UPSTREAM_TIMEOUT_MS: int(15_000, 50),
  /** Connecting to an instance slower than this counts as that instance being down (→ next instance, or 503). */
  GATEWAY_CONNECT_TIMEOUT_MS: int(3_000, 50),
  /** Keep-alive connections per upstream instance (requests beyond wait in the pool's queue). */
  GATEWAY_UPSTREAM_CONNECTIONS: int(128, 1, 10_000),
  /** Active health checks: every instance's /ready is polled this often. */
  GATEWAY_HEALTH_INTERVAL_MS: int(2_000, 100),
  /**
   * Upstream host names (`http://auth:8001`, a Kubernetes headless Service) are resolved to all
   * their addresses, one instance each, and resolved again this often; 0 turns it off (undici
   * then resolves a name on each new connection, to one address). IP literals are never looked up.
   */
  GATEWAY_DNS_REFRESH_MS: int(10_000, 0),
  /** How long an instance that refused a connection is skipped (passive ejection) while another is up. */
  GATEWAY_EJECT_MS: int(5_000, 100),
  /**
   * A WebSocket client whose socket has not drained for this long (it stopped reading) is cut off,
   * both ends reset: buffers stay bounded, and realtime replays its messages when it resumes.
   */
  GATEWAY_WS_STALL_MS: int(30_000, 100),
  /** Requests with more header lines than this → 431. */
  GATEWAY_MAX_HEADERS: int(100, 10, 1_000),
  /** Per-IP limit over every proxied request and upgrade; 0 points turns it off. */
  RL_GATEWAY_PER_IP: int(300, 0),
  RL_GATEWAY_WINDOW_S: int(10, 1),
  /** One info line per request (method, masked path, status, ms, request id, upstream). */
  GATEWAY_ACCESS_LOG: zBoolish.default(true),
  /** The operator listener (GET /metrics, /health); 0 turns it off. Not the public port: see admin-listener.ts. */
  GATEWAY_ADMIN_PORT: int(deployable('gateway').adminPort ?? 0, 0, 65_535),
  /** Where the operator listener binds: loopback unless Prometheus scrapes from another host. */
  GATEWAY_ADMIN_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * Worker processes serving the public port (node:cluster): 1 is a single process, `auto` one per
   * core. See cluster-primary.ts for what the primary keeps (admin listener, restarts, shutdown).
   */
  GATEWAY_WORKERS: z
    .string()
    .trim()
    .toLowerCase()
    .default('1')
    .transform((v) => (v === 'auto' ? String(os.availableParallelism()) : v))
    .pipe(z.coerce.number<string>().int().min(1).max(64)),
  /** The built web app; served at / when it exists. Relative to the repo root. */
  LOCKBOX_WEB_DIST: z.string().default('packages/web/dist'),
});

export type GatewayEnv = z.infer<typeof ZGatewayEnv>;

export const upstreamsOf = (env: GatewayEnv, service: ServiceName): string[] =>
  env[`${service.toUpperCase() as Uppercase<ServiceName>}_UPSTREAMS`];

export const loadGatewayEnv = (source: NodeJS.ProcessEnv = process.env): GatewayEnv =>
  loadEnv(ZGatewayEnv, source);

/** For tests: parse or throw, never exit. */
export const parseGatewayEnv = (source: Record<string, string | undefined>): GatewayEnv =>
  ZGatewayEnv.parse(source);
