/**
 * A small HTTP client for black-box tests, on node:http so a test controls
 * everything: raw headers, the source address (127.x.y.z, to act as another
 * IP), and bodies that are not JSON.
 */
import http from 'node:http';

export interface HttpResult<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: T;
}

export interface RequestOptions {
  /** A value to send as JSON, or a raw string/Buffer body. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string | string[]>;
  localAddress?: string;
  timeoutMs?: number;
}

export const request = <T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<HttpResult<T>> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const raw = typeof opts.body === 'string' || Buffer.isBuffer(opts.body);
    const payload =
      opts.body === undefined ? undefined : raw ? (opts.body as string | Buffer) : JSON.stringify(opts.body);
    const headers: Record<string, string | string[]> = {
      ...(payload !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    };
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: json as T });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });

/** Bound to one base URL: `api.post('/auth/login', { body })`. */
export const client = (baseUrl: string) => ({
  get: <T = unknown>(path: string, opts?: RequestOptions) => request<T>(baseUrl, 'GET', path, opts),
  post: <T = unknown>(path: string, opts?: RequestOptions) => request<T>(baseUrl, 'POST', path, opts),
  put: <T = unknown>(path: string, opts?: RequestOptions) => request<T>(baseUrl, 'PUT', path, opts),
  del: <T = unknown>(path: string, opts?: RequestOptions) => request<T>(baseUrl, 'DELETE', path, opts),
  request: <T = unknown>(method: string, path: string, opts?: RequestOptions) =>
    request<T>(baseUrl, method, path, opts),
});
export type Client = ReturnType<typeof client>;

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms${lastErr ? `: ${(lastErr as Error).message}` : ''}`,
  );
};

let counter = 0;
/** A fresh, valid, unique username for one test. */
export const uniqueName = (prefix = 'u') =>
  `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(
    0,
    32,
  );

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

export interface RegisterOptions {
  /** Default: a unique name with the prefix. */
  username?: string;
  password?: string;
  /** Source address of the request (for per-IP limits). */
  localAddress?: string;
}

/** Registers a new user through the gateway and returns its session. */
export const registerUser = async (
  api: Client,
  prefix = 'u',
  opts: RegisterOptions = {},
): Promise<TestUser> => {
  const username = opts.username ?? uniqueName(prefix);
  const password = opts.password ?? `pw-${username}-secret`;
  const res = await api.post<{ access_token: string; refresh_token: string; user: { id: string } }>(
    '/auth/register',
    { body: { username, password }, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) },
  );
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
  return {
    id: res.json.user.id,
    username,
    password,
    token: res.json.access_token,
    refreshToken: res.json.refresh_token,
  };
};
