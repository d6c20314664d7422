/** The operational endpoints every service answers: /health, /ready and /metrics. */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { sendJson } from './render';

export interface ProbeSources {
  service: string;
  /** Resolves when dependencies (database) answer. */
  ready: () => Promise<void>;
  metrics: Metrics;
}

export const isProbe = (method: string, pathname: string): boolean =>
  method === 'GET' && (pathname === '/health' || pathname === '/ready' || pathname === '/metrics');

/** Answers a probe (see `isProbe`) and returns its status; `log` is read only when readiness fails. */
export const answerProbe = async (
  pathname: string,
  sources: ProbeSources,
  ctx: { readonly log: Logger },
  res: ServerResponse,
): Promise<number> => {
  if (pathname === '/health') {
    sendJson(res, 200, { status: 'ok', service: sources.service, uptime_s: Math.round(process.uptime()) });
    return 200;
  }
  if (pathname === '/ready') {
    try {
      await sources.ready();
      sendJson(res, 200, { status: 'ready', service: sources.service });
      return 200;
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'not ready');
      sendJson(res, 503, { status: 'unavailable', service: sources.service }, { 'retry-after': '2' });
      return 503;
    }
  }
  const text = await sources.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': sources.metrics.registry.contentType });
  res.end(text);
  return 200;
};
