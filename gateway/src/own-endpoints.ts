/**
 * The gateway's own answers on the public port: /health, /openapi.json and
 * /docs (GET and HEAD only). /metrics is on the admin listener (admin-listener.ts).
 */
import { sendError, sendJson } from './answers';
import { docsAsset } from './docs';
import type { Exchange } from './exchange';
import type { HealthMonitor } from './health';
import { openApiJson } from './openapi';
import { type MemoryAsset, memoryAsset, sendAsset } from './static-answers';

export type OwnEndpointKind = 'health' | 'openapi' | 'docs';

export type OwnEndpoint = (ex: Exchange, kind: OwnEndpointKind, pathname: string) => void;

export const createOwnEndpoints = (health: HealthMonitor): OwnEndpoint => {
  // Built on the first request that asks for it, then kept.
  let openApi: MemoryAsset | undefined;

  return (ex, kind, pathname) => {
    const { req, res, requestId } = ex;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 'method_not_allowed', 'method not allowed', requestId);
      return;
    }
    switch (kind) {
      case 'health':
        health.report().then((report) => {
          const ok = report.status === 'ok';
          sendJson(res, ok ? 200 : 503, report, requestId, ok ? ex.cors : [...ex.cors, 'retry-after', '2']);
        });
        return;
      case 'openapi':
        openApi ??= memoryAsset('application/json; charset=utf-8', openApiJson(), 'no-cache');
        sendAsset(req, res, openApi, requestId);
        return;
      case 'docs': {
        const asset = docsAsset(pathname);
        if (asset) sendAsset(req, res, asset, requestId);
        else sendError(res, 'not_found', 'not found', requestId);
        return;
      }
    }
  };
};
