/**
 * Matches a REST request to the procedure whose contract declares that path.
 * Static paths are a map lookup; paths with `{params}` are compiled once into
 * segment patterns.
 */
import type { HttpMethod, RestOperation } from '@lockbox/contracts';

export interface RestMatch {
  route: RestOperation;
  params: Record<string, string>;
}

interface DynamicRoute {
  route: RestOperation;
  segments: Array<string | { param: string }>;
}

export class RestRouter {
  readonly #statics = new Map<string, RestOperation>();
  readonly #dynamics: DynamicRoute[] = [];
  readonly #paths = new Set<string>();

  constructor(routes: RestOperation[]) {
    for (const route of routes) {
      const { method, path } = route.rest;
      if (path.includes('{')) {
        const segments = path
          .split('/')
          .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : s));
        this.#dynamics.push({ route, segments });
      } else {
        this.#statics.set(`${method} ${path}`, route);
        this.#paths.add(path);
      }
    }
  }

  /** A match, `'method'` when the path exists under another method, or undefined. */
  match(method: string, pathname: string): RestMatch | 'method' | undefined {
    const hit = this.#statics.get(`${method} ${pathname}`);
    if (hit) return { route: hit, params: {} };
    let pathExists = this.#paths.has(pathname);
    const parts = pathname.split('/');
    for (const d of this.#dynamics) {
      if (d.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = d.segments[i] as string | { param: string };
        const part = parts[i] as string;
        if (typeof seg === 'string') ok = seg === part;
        else {
          let value: string;
          try {
            value = decodeURIComponent(part);
          } catch {
            ok = false;
            continue;
          }
          ok = value.length > 0 && !value.includes('/') && !value.includes('\0');
          params[seg.param] = value;
        }
      }
      if (!ok) continue;
      if (d.route.rest.method === (method as HttpMethod)) return { route: d.route, params };
      pathExists = true;
    }
    return pathExists ? 'method' : undefined;
  }
}
