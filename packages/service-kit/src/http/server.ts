/**
 * The fast path that serves a service's tRPC procedures over plain node:http.
 *
 * tRPC's standalone adapter streams a chunked body and measured about 0.1× a
 * plain node:http server on a trivial query; here each request looks its
 * procedure up once, calls it directly (same middlewares, same zod input and
 * output validation), and answers one JSON buffer with a Content-Length.
 *
 * Two wire forms reach the same procedures:
 * - tRPC (`GET /trpc/a.b?input=…`, `POST /trpc/a.b`), as `@trpc/client`'s httpLink speaks it.
 *   Batching is refused: one call per request keeps limits and logs per call.
 * - REST, on the paths the contract declares (API.md), for curl and the original clients.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ContractTree, ErrorBody } from '@lockbox/contracts';
import { restRoutesOf } from '@lockbox/contracts';
import { type AnyTRPCProcedure, type AnyTRPCRouter, getTRPCErrorShape } from '@trpc/server';
import { AppError, describeError } from '../errors';
import {
  CLIENT_IP_HEADER,
  GATEWAY_HEADER,
  INTERNAL_HEADER,
  type ServiceCredentials,
  safeEqual,
} from '../internal-auth';
import { type Logger, safeUrl } from '../logger';
import type { Metrics } from '../metrics';
import { type AuthUser, type BaseContext, directCallOf } from '../trpc';
import { assertPlainKey, parseJsonBody, parseJsonText, readBody } from './body';
import { RestRouter } from './rest-router';

export interface ServiceHttpOptions {
  service: string;
  router: AnyTRPCRouter;
  contracts: ContractTree[];
  log: Logger;
  metrics: Metrics;
  credentials: ServiceCredentials;
  bodyLimit: number;
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
  /** Readiness: resolves when dependencies (database) answer. */
  ready: () => Promise<void>;
  /** Extra routes owned by the service itself (e.g. realtime's upgrade), tried before procedures. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A request's context. A class, not an object literal with a `get log()`: the
 * literal built a getter closure and an accessor property per request, and
 * the adapter cost 57.7 µs of CPU per request against 39.4 µs with the class
 * (`npm run bench:service`, auth.jwks over REST). The child logger is made
 * only when something logs. `log` lives on the prototype, so a spread copy
 * (`{ ...ctx }`) has none: pass it explicitly, as the user middleware does.
 */
class RequestContext implements BaseContext {
  #log: Logger | undefined;
  readonly #root: Logger;
  readonly #pathname: string;
  constructor(
    readonly requestId: string,
    readonly clientIp: string,
    readonly authorization: string | undefined,
    readonly internal: boolean,
    readonly authenticate: (authorization: string | undefined) => Promise<AuthUser>,
    root: Logger,
    pathname: string,
  ) {
    this.#root = root;
    this.#pathname = pathname;
  }
  get log(): Logger {
    this.#log ??= this.#root.child({ requestId: this.requestId, path: safeUrl(this.#pathname) });
    return this.#log;
  }
}

const send = (res: ServerResponse, status: number, payload: unknown, extra?: Record<string, string>) => {
  if (status === 204) {
    res.writeHead(204, extra);
    res.end();
    return;
  }
  const body = JSON.stringify(payload);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
};

export const createServiceHttpServer = (opts: ServiceHttpOptions): http.Server => {
  const procedures = opts.router._def.procedures as Record<string, AnyTRPCProcedure>;
  const rest = new RestRouter(opts.contracts.flatMap((c) => restRoutesOf(c)));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    let route = 'unmatched';
    let status = 500;

    const fromGateway = safeEqual(req.headers[GATEWAY_HEADER], opts.credentials.gatewayToken);
    const forwardedIp = req.headers[CLIENT_IP_HEADER];
    const clientIp =
      fromGateway && typeof forwardedIp === 'string' ? forwardedIp : (req.socket.remoteAddress ?? 'unknown');
    const ctx = new RequestContext(
      requestId,
      clientIp,
      req.headers.authorization,
      safeEqual(req.headers[INTERNAL_HEADER], opts.credentials.internalToken),
      opts.authenticate,
      opts.log,
      pathname,
    );

    const fail = (err: unknown, trpcPath?: string) => {
      const d = describeError(err);
      status = d.status;
      if (d.serverFault)
        ctx.log.error({ err: d.trpcError.cause ?? d.trpcError, code: d.code }, 'request failed');
      const headers: Record<string, string> =
        d.retryAfter !== undefined ? { 'retry-after': String(d.retryAfter) } : {};
      if (d.code === 'payload_too_large') headers.connection = 'close';
      if (trpcPath !== undefined) {
        const shape = getTRPCErrorShape({
          config: opts.router._def._config,
          error: d.trpcError,
          type: 'unknown',
          path: trpcPath,
          input: undefined,
          ctx,
        });
        send(res, status, { error: shape }, headers);
      } else {
        const body: ErrorBody = {
          error: {
            code: d.code,
            message: d.message,
            request_id: requestId,
            ...(d.retryAfter !== undefined ? { retry_after: d.retryAfter } : {}),
          },
        };
        send(res, status, body, headers);
      }
    };

    try {
      if (opts.extraRoutes?.(req, res)) {
        route = 'extra';
        return;
      }
      if (method === 'GET' && (pathname === '/health' || pathname === '/ready' || pathname === '/metrics')) {
        route = pathname;
        if (pathname === '/health') {
          status = 200;
          send(res, 200, { status: 'ok', service: opts.service, uptime_s: Math.round(process.uptime()) });
        } else if (pathname === '/ready') {
          try {
            await opts.ready();
            status = 200;
            send(res, 200, { status: 'ready', service: opts.service });
          } catch (err) {
            status = 503;
            ctx.log.warn({ err: (err as Error).message }, 'not ready');
            send(res, 503, { status: 'unavailable', service: opts.service }, { 'retry-after': '2' });
          }
        } else {
          status = 200;
          const text = await opts.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': opts.metrics.registry.contentType });
          res.end(text);
        }
        return;
      }

      let procedure: AnyTRPCProcedure | undefined;
      let path: string;
      let input: unknown;
      let successStatus = 200;
      let trpcPath: string | undefined;

      if (pathname.startsWith('/trpc/')) {
        path = decodeProcedurePath(pathname.slice(6));
        trpcPath = path;
        route = `trpc:${path}`;
        if (path.includes(',') || search.includes('batch=')) {
          fail(new AppError('invalid_input', 'batched calls are not supported'), path);
          return;
        }
        procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
        const type = method === 'GET' ? 'query' : method === 'POST' ? 'mutation' : undefined;
        if (!procedure || !type || procedure._def.type !== type) {
          fail(
            new AppError(
              procedure ? 'method_not_allowed' : 'not_found',
              `no ${type ?? method} procedure "${path}"`,
            ),
            path,
          );
          return;
        }
        if (type === 'query') {
          const raw = new URLSearchParams(search).get('input');
          input = raw === null ? undefined : parseJsonText(raw);
        } else {
          input = parseJsonBody(await readBody(req, opts.bodyLimit), req.headers['content-type']);
        }
      } else {
        const match = rest.match(method, pathname);
        if (match === undefined || match === 'method') {
          throw new AppError(
            match ? 'method_not_allowed' : 'not_found',
            `no route ${method} ${safeUrl(pathname)}`,
          );
        }
        path = match.route.name;
        route = path;
        procedure = procedures[path];
        successStatus = match.route.rest.status ?? 200;
        if (method === 'GET' || method === 'DELETE') {
          input = queryObject(search);
        } else {
          input = parseJsonBody(await readBody(req, opts.bodyLimit), req.headers['content-type']);
        }
        if (Object.keys(match.params).length > 0) input = mergeParams(input, match.params);
        else if (
          input &&
          typeof input === 'object' &&
          !Array.isArray(input) &&
          Object.keys(input).length === 0
        )
          input = undefined;
      }

      const direct = directCallOf(procedure as AnyTRPCProcedure);
      const data = direct
        ? await direct(ctx, input)
        : await (procedure as AnyTRPCProcedure)({
            ctx,
            path,
            type: procedure?._def.type ?? 'query',
            getRawInput: async () => input,
            signal: undefined,
            batchIndex: 0,
          });
      status = trpcPath !== undefined ? 200 : successStatus;
      send(res, status, trpcPath !== undefined ? { result: { data: data ?? null } } : data);
    } catch (err) {
      fail(err, pathname.startsWith('/trpc/') ? pathname.slice(6) : undefined);
    } finally {
      opts.metrics.observeRequest(route, method, status, Number(process.hrtime.bigint() - started) / 1e9);
      if (status >= 500) ctx.log.warn({ status, method }, 'request answered 5xx');
    }
  };

  // 32 KiB of headers (Node's default is 16): an oversized bearer token then
  // reaches the token check and gets the 401 a client can act on, not a bare 431.
  const server = http.createServer({ keepAliveTimeout: 65_000, maxHeaderSize: 32 * 1024 }, (req, res) => {
    handle(req, res).catch((err) => {
      opts.log.error({ err }, 'unhandled request error');
      if (!res.headersSent) send(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  server.maxHeadersCount = 200;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return server;
};

/** A tRPC procedure name from the URL; malformed percent-encoding names no procedure (404, not a 500). */
const decodeProcedurePath = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('not_found', 'no such procedure');
  }
};

/** Query string → object; a repeated key is ambiguous and refused. */
const queryObject = (search: string): Record<string, string> | undefined => {
  if (!search) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    // `out.__proto__ = v` would not even make a key; refuse it as the body parser does.
    assertPlainKey(k);
    if (Object.hasOwn(out, k)) throw new AppError('invalid_input', `query parameter "${k}" repeated`);
    out[k] = v;
  }
  return out;
};

const mergeParams = (input: unknown, params: Record<string, string>): unknown => {
  if (input === undefined) return { ...params };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input; // let the schema refuse it
  for (const k of Object.keys(params)) {
    if (Object.hasOwn(input, k) && (input as Record<string, unknown>)[k] !== params[k])
      throw new AppError('invalid_input', `"${k}" differs between path and body`);
  }
  return { ...(input as object), ...params };
};
