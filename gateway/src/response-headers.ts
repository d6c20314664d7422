/**
 * Header hygiene on the way out: what a service answered, minus hop-by-hop
 * headers and anything the gateway owns (CORS, request id, internal headers),
 * plus the gateway's security headers, as one flat list for `writeHead`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SECURITY_HEADERS } from './security-headers';

const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'x-request-id',
  // the gateway sets these itself (see SECURITY_HEADERS)
  'x-content-type-options',
  'referrer-policy',
  'x-frame-options',
]);

export const responseHeaders = (
  upstream: IncomingHttpHeaders,
  requestId: string,
  cors: readonly string[],
): string[] => {
  const out: string[] = [];
  let cacheControl = false;
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || DROPPED.has(name)) continue;
    if (name.startsWith('access-control-') || name.startsWith('x-lockbox-')) continue;
    if (name === 'cache-control') cacheControl = true;
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  if (!cacheControl) out.push('cache-control', 'no-store');
  out.push('x-request-id', requestId);
  for (const h of SECURITY_HEADERS) out.push(h);
  for (const h of cors) out.push(h);
  return out;
};
