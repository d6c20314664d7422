/**
 * CORS from the allow-list only (LOCKBOX_CORS_ORIGINS). An allowed Origin is
 * echoed (never `*`) with credentials allowed; any other origin gets no CORS
 * headers, so the browser keeps the answer from the page. Preflights are
 * answered here: 204 for an allowed origin, 403 otherwise. The header lists are
 * built once per origin at start, so the hot path only does a map lookup.
 */
export const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, PATCH, OPTIONS';
export const ALLOWED_HEADERS = 'authorization, content-type, x-request-id, trpc-accept';
const EXPOSED_HEADERS = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE_S = '600';

/** Sent on every answer that depends on Origin, so caches keep the variants apart. */
export const VARY_ORIGIN: readonly string[] = ['vary', 'Origin'];

export class CorsPolicy {
  readonly #simple = new Map<string, readonly string[]>();
  readonly #preflight = new Map<string, readonly string[]>();

  constructor(origins: readonly string[]) {
    for (const origin of origins) {
      const common = [
        'access-control-allow-origin',
        origin,
        'access-control-allow-credentials',
        'true',
        'vary',
        'Origin',
      ];
      this.#simple.set(origin, [...common, 'access-control-expose-headers', EXPOSED_HEADERS]);
      this.#preflight.set(origin, [
        ...common,
        'access-control-allow-methods',
        ALLOWED_METHODS,
        'access-control-allow-headers',
        ALLOWED_HEADERS,
        'access-control-max-age',
        PREFLIGHT_MAX_AGE_S,
      ]);
    }
  }

  isAllowed(origin: string | undefined): boolean {
    return origin !== undefined && this.#simple.has(origin.toLowerCase());
  }

  /** Headers for an actual (non-preflight) answer: the CORS set for an allowed origin, else just Vary. */
  headersFor(origin: string | undefined): readonly string[] {
    if (origin === undefined) return VARY_ORIGIN;
    return this.#simple.get(origin.toLowerCase()) ?? VARY_ORIGIN;
  }

  /**
   * A WebSocket upgrade from a page of this very host (the web app the gateway
   * serves, reached by any name or port) needs no allow-list entry.
   */
  static isSameOrigin(origin: string, host: string | undefined): boolean {
    if (!host) return false;
    try {
      return new URL(origin).host === host.toLowerCase();
    } catch {
      return false;
    }
  }

  /** Headers for a preflight answer, or undefined when the origin is not allowed. */
  preflightFor(origin: string | undefined): readonly string[] | undefined {
    return origin === undefined ? undefined : this.#preflight.get(origin.toLowerCase());
  }
}
