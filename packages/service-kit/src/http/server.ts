/**
 * The fast path that serves a service's tRPC procedures over plain node:http.
 *
 * tRPC's standalone adapter streams a chunked body and is several times slower
 * than a plain node:http server on a trivial query; here each request looks its
 * procedure up once, calls it directly (same access ladder, same zod input and
 * output validation), and answers one JSON buffer with a Content-Length.
 *
 * Two wire forms reach the same procedures:
 * - tRPC (`GET /trpc/a.b?input=…`, `POST /trpc/a.b`): ./trpc-decode.ts;
 * - REST, on the paths the contract declares (API.md): ./rest-decode.ts.
 * This file only wires them: request → probes / decode → dispatch → render, with metrics.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ContractTree } from '@lockbox/contracts';
import { restRoutesOf } from '@lockbox/contracts';
import type { AnyTRPCRouter } from '@trpc/server';
import type { AuthUser } from '../context';
import type { ServiceCredentials } from '../internal-auth';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Procedures } from './call-target';
import { callProcedure } from './dispatch';
import { answerProbe, isProbe } from './probes';
import { sendFailure, sendJson, sendResult } from './render';
import { requestContextOf, requestIdOf, splitUrl } from './request';
import { readRestInput, restTargetOf } from './rest-decode';
import { RestRouter } from './rest-router';
import { readTrpcInput, trpcTargetOf } from './trpc-decode';

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

export const createServiceHttpServer = (opts: ServiceHttpOptions): http.Server => {
  const procedures = opts.router._def.procedures as Procedures;
  const rest = new RestRouter(opts.contracts.flatMap((c) => restRoutesOf(c)));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const { pathname, search } = splitUrl(req.url ?? '/');
    const method = req.method ?? 'GET';
    const trpcPath = pathname.startsWith('/trpc/') ? pathname.slice(6) : undefined;
    const ctx = requestContextOf(req, requestId, pathname, opts);
    let route = 'unmatched';
    let status = 500;

    try {
      if (opts.extraRoutes?.(req, res)) {
        route = 'extra';
        return;
      }
      if (isProbe(method, pathname)) {
        route = pathname;
        status = await answerProbe(pathname, opts, ctx, res);
        return;
      }
      const target =
        trpcPath !== undefined
          ? trpcTargetOf(trpcPath, search, method, procedures)
          : restTargetOf(rest, method, pathname, procedures);
      route = target.route;
      if (target.refusal) {
        // Refusals name the decoded path; later errors the path as sent.
        status = sendFailure(res, target.refusal, ctx, opts.router, target.path);
        return;
      }
      const input =
        target.params !== undefined
          ? await readRestInput(req, method, search, target.params, opts.bodyLimit)
          : await readTrpcInput(req, target.procedure, search, opts.bodyLimit);
      const data = await callProcedure(target.procedure, target.path, ctx, input);
      status = target.successStatus;
      sendResult(res, status, data, trpcPath !== undefined);
    } catch (err) {
      status = sendFailure(res, err, ctx, opts.router, trpcPath);
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
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  server.maxHeadersCount = 200;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return server;
};
