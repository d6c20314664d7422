/**
 * The proxied path of a request: the upstream must be up and the method one
 * the gateway forwards, the body within the limit (refused before a byte is
 * read when its length says so), the per-IP limit passed; then the request
 * goes to the service through its undici pool.
 */
import type { ServiceName } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import { refuseUpload, sendError } from './answers';
import type { Exchange } from './exchange';
import { type Body, BodyLimiter, ProxyHandler } from './http-proxy';
import type { IpLimit } from './ip-limit';
import type { GatewayMetrics } from './metrics';
import { addGatewayHeaders, type ScannedRequest } from './request-headers';
import type { ServiceUpstreams } from './upstreams';

const PROXIED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export interface ProxyDeps {
  upstreams: ReadonlyMap<ServiceName, ServiceUpstreams>;
  ipLimit: IpLimit;
  metrics: GatewayMetrics;
  log: Logger;
  gatewayToken: string;
  bodyLimit: number;
}

export type ProxyRequest = (ex: Exchange, service: ServiceName, scanned: ScannedRequest) => void;

export const createProxyRequest = (deps: ProxyDeps): ProxyRequest => {
  const { upstreams, ipLimit, gatewayToken, bodyLimit } = deps;
  const proxyContext = { metrics: deps.metrics, log: deps.log };

  return (ex, service, scanned) => {
    const { req, res, requestId } = ex;
    const upstream = upstreams.get(service) as ServiceUpstreams;
    if (!upstream.enabled) {
      sendError(res, 'service_unavailable', `the ${service} service is not running`, requestId, {
        headers: ex.cors,
      });
      return;
    }
    if (!PROXIED_METHODS.has(req.method as string)) {
      sendError(res, 'method_not_allowed', 'method not allowed', requestId, { headers: ex.cors });
      return;
    }

    let body: Body | null = null;
    if (scanned.contentLength !== undefined) {
      // Node's parser has already checked it is a number; refuse before reading a byte.
      const length = Number(scanned.contentLength);
      if (length > bodyLimit) {
        refuseUpload(req, res, 'payload_too_large', `request body over ${bodyLimit} bytes`, requestId, {
          close: true,
          headers: ex.cors,
        });
        return;
      }
      if (length > 0) body = req;
    } else if (scanned.chunked) {
      body = req.pipe(new BodyLimiter(bodyLimit));
    }

    const clientIp = req.socket.remoteAddress ?? 'unknown';
    const headers = addGatewayHeaders(scanned.forward, gatewayToken, clientIp, requestId);
    const handler = new ProxyHandler(ex, upstream, headers, body, proxyContext);
    ipLimit.check(clientIp).then((verdict) => {
      if (ex.clientGone) return;
      if (verdict.ok) handler.start();
      else
        sendError(res, 'rate_limited', `too many requests; retry in ${verdict.retryAfter}s`, requestId, {
          retryAfter: verdict.retryAfter,
          headers: ex.cors,
        });
    });
  };
};
