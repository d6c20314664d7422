/**
 * One HTTP request through the gateway: refuse what must not pass (too many
 * header lines, ambiguous framing, disallowed preflights), answer CORS
 * preflights, then do what the route table says (for `/v1/...` too, see
 * api-version.ts) — proxy, refuse, serve the
 * web app or one of the gateway's own endpoints.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, safeUrl } from '@lockbox/service-kit';
import { refuseUpload, sendError } from './answers';
import { stripApiVersion } from './api-version';
import { type CorsPolicy, VARY_ORIGIN } from './cors';
import { Exchange, type ExchangeObserver } from './exchange';
import type { OwnEndpoint } from './own-endpoints';
import type { ProxyRequest } from './proxy-request';
import { scanRequestHeaders } from './request-headers';
import type { RouteTable } from './route-table';
import type { WebApp } from './web-app';

export interface RequestHandlerDeps {
  routes: RouteTable;
  cors: CorsPolicy;
  maxHeaders: number;
  observe: ExchangeObserver;
  proxy: ProxyRequest;
  ownEndpoint: OwnEndpoint;
  webApp: WebApp;
  log: Logger;
}

export const createRequestHandler = (deps: RequestHandlerDeps) => {
  const { routes, cors, maxHeaders, observe, proxy, ownEndpoint, webApp, log } = deps;

  return (req: IncomingMessage, res: ServerResponse): void => {
    const raw = req.rawHeaders;
    const scanned = scanRequestHeaders(raw);
    const requestId = scanned.clientRequestId ?? randomUUID();
    const ex = new Exchange(req, res, requestId, cors.headersFor(scanned.origin), observe);

    if (raw.length > maxHeaders * 2) {
      ex.route = 'refused';
      refuseUpload(req, res, 'headers_too_large', `more than ${maxHeaders} header lines`, requestId, {
        close: true,
        headers: ex.cors,
      });
      return;
    }
    if (scanned.chunked && scanned.contentLength !== undefined) {
      // Node 20's parser already refuses this (see clientError); kept so a parser change can't let it through.
      ex.route = 'refused';
      sendError(res, 'invalid_input', 'both Content-Length and Transfer-Encoding', requestId, {
        close: true,
      });
      return;
    }

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const search = q === -1 ? '' : url.slice(q + 1);

    if (req.method === 'OPTIONS' && scanned.preflight && scanned.origin !== undefined) {
      ex.route = 'preflight';
      const allowed = cors.preflightFor(scanned.origin);
      if (allowed) {
        res.writeHead(204, [...allowed, 'x-request-id', requestId]);
        res.end();
      } else sendError(res, 'forbidden', 'origin not allowed', requestId, { headers: VARY_ORIGIN });
      return;
    }

    const unversioned = stripApiVersion(pathname);
    const route = routes.resolve(unversioned ?? pathname, search, unversioned !== undefined);
    ex.route = route.label;
    switch (route.kind) {
      case 'proxy':
        // The services serve the unversioned paths: forward `/v1/auth/me?x` as `/auth/me?x`.
        if (unversioned !== undefined) req.url = unversioned + (q === -1 ? '' : url.slice(q));
        proxy(ex, route.service, scanned);
        return;
      case 'refuse':
        sendError(res, route.code, route.message, requestId, { headers: ex.cors });
        return;
      case 'web':
        if (req.method !== 'GET' && req.method !== 'HEAD')
          sendError(res, 'not_found', `no route ${req.method} ${safeUrl(pathname)}`, requestId, {
            headers: ex.cors,
          });
        else
          webApp.serve(req, res, pathname, requestId).catch((err) => {
            log.error({ err, requestId }, 'serving the web app failed');
            sendError(res, 'internal', 'internal error', requestId);
          });
        return;
      default:
        ownEndpoint(ex, route.kind, pathname);
    }
  };
};
