/**
 * Where a request goes, decided from the contracts' public route table
 * (`PUBLIC_PREFIXES`, `PUBLIC_TRPC_NAMESPACES`, both derived from the
 * `serviceContracts` registry) and nothing else:
 * - the longest matching path prefix names the service;
 * - `/trpc/<ns>.<proc>` goes to the service owning `<ns>`; any other namespace
 *   (notably `internal`) is not found, and batched calls are refused;
 * - the gateway's own endpoints; everything else is the web app (GET) or 404.
 * Under `/v1` (stripped by the caller, see api-version.ts) only the API routes
 * exist: the gateway's own endpoints and the web app are not versioned, so
 * anything else there is a JSON 404 rather than the web app's HTML.
 * `/metrics` is not public: it is served on the admin listener (admin-listener.ts).
 */
import { PUBLIC_PREFIXES, PUBLIC_TRPC_NAMESPACES, type ServiceName } from '@lockbox/contracts';

export type Route =
  | { kind: 'proxy'; service: ServiceName; label: string }
  | { kind: 'refuse'; code: 'not_found' | 'invalid_input'; message: string; label: string }
  | { kind: 'health' | 'openapi' | 'docs' | 'web'; label: string };

interface PrefixEntry {
  prefix: string;
  route: Route;
}

const NOT_FOUND: Route = { kind: 'refuse', code: 'not_found', message: 'not found', label: 'not-found' };

const GATEWAY_ROUTES: Readonly<Record<string, Route>> = {
  '/health': { kind: 'health', label: '/health' },
  // Operators scrape the admin listener; here it must not fall through to the web app's index.html.
  '/metrics': NOT_FOUND,
  '/openapi.json': { kind: 'openapi', label: '/openapi.json' },
  '/docs': { kind: 'docs', label: '/docs' },
};

const DOCS_ROUTE: Route = { kind: 'docs', label: '/docs' };
const WEB_ROUTE: Route = { kind: 'web', label: 'web' };
const BATCH: Route = {
  kind: 'refuse',
  code: 'invalid_input',
  message: 'batched tRPC calls are not supported; send one call per request',
  label: 'trpc:batch',
};
const UNKNOWN_PROCEDURE: Route = {
  kind: 'refuse',
  code: 'not_found',
  message: 'no such procedure',
  label: 'trpc:unknown',
};
const BAD_PATH: Route = {
  kind: 'refuse',
  code: 'invalid_input',
  message: 'malformed request path',
  label: 'bad-path',
};

/** Dot segments (also percent-encoded), backslashes and NULs never reach a service. */
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|\\|%5c|%00|\0/i;

export class RouteTable {
  readonly #prefixes: PrefixEntry[];
  readonly #trpc = new Map<string, Route>();

  constructor(
    prefixes: ReadonlyArray<{ prefix: string; service: ServiceName }> = PUBLIC_PREFIXES,
    trpcNamespaces: Readonly<Record<string, ServiceName>> = PUBLIC_TRPC_NAMESPACES,
  ) {
    this.#prefixes = [...prefixes]
      .sort((a, b) => b.prefix.length - a.prefix.length)
      .map(({ prefix, service }) => ({ prefix, route: { kind: 'proxy', service, label: prefix } }));
    for (const [ns, service] of Object.entries(trpcNamespaces))
      this.#trpc.set(ns, { kind: 'proxy', service, label: `trpc:${ns}` });
  }

  /**
   * `pathname` is the raw (still percent-encoded) path, `search` the query without `?`;
   * `versioned` says the path came from under `/v1` (with the version already stripped).
   */
  resolve(pathname: string, search: string, versioned = false): Route {
    if (pathname.charCodeAt(0) !== 47 /* / */ || UNSAFE_PATH.test(pathname)) return BAD_PATH;
    for (const { prefix, route } of this.#prefixes) {
      if (
        pathname.startsWith(prefix) &&
        (pathname.length === prefix.length || pathname.charCodeAt(prefix.length) === 47)
      )
        return route;
    }
    if (pathname.startsWith('/trpc/')) return this.#resolveTrpc(pathname, search);
    if (versioned) return NOT_FOUND;
    const own = GATEWAY_ROUTES[pathname];
    if (own) return own;
    if (pathname.startsWith('/docs/')) return DOCS_ROUTE;
    return WEB_ROUTE;
  }

  #resolveTrpc(pathname: string, search: string): Route {
    let procedure: string;
    try {
      // Decoded exactly as the service decodes it, so both see the same procedure name.
      procedure = decodeURIComponent(pathname.slice(6));
    } catch {
      return BAD_PATH;
    }
    if (procedure.includes(',') || search.includes('batch=')) return BATCH;
    const dot = procedure.indexOf('.');
    const ns = dot === -1 ? procedure : procedure.slice(0, dot);
    return this.#trpc.get(ns) ?? UNKNOWN_PROCEDURE;
  }
}
