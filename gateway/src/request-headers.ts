/**
 * Header hygiene on the way in, in one pass over the raw header list.
 *
 * Nothing a client says about identity or origin reaches a service: `x-user-id`,
 * forwarded headers, and every `x-lockbox-*` are dropped, and the gateway adds
 * its own — the gateway token (so a service can trust the client address), the
 * socket's remote address, a fresh `x-forwarded-for`, and the request id.
 * Hop-by-hop headers are dropped too (the upstream connection has its own).
 */
import { CLIENT_IP_HEADER, GATEWAY_HEADER } from '@lockbox/service-kit';

/** Dropped from every client request (lower case). */
const DROPPED = new Set([
  // spoofable identity / origin
  'x-user-id',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
  // hop-by-hop (RFC 9110 §7.6.1) and framing the upstream connection decides itself
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  // the gateway sets its own
  'x-request-id',
]);

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ScannedRequest {
  /** Headers to forward, flat [name, value, …], gateway headers appended. */
  forward: string[];
  origin: string | undefined;
  /** The client's id when well-formed, else undefined. */
  clientRequestId: string | undefined;
  contentLength: string | undefined;
  chunked: boolean;
  /** An Access-Control-Request-Method header was sent (with OPTIONS and Origin: a CORS preflight). */
  preflight: boolean;
}

/**
 * Scans and filters `rawHeaders`. The gateway headers are appended by
 * `addGatewayHeaders` once the request id is known.
 */
export const scanRequestHeaders = (raw: readonly string[]): ScannedRequest => {
  const forward: string[] = [];
  let origin: string | undefined;
  let clientRequestId: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  let preflight = false;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (DROPPED.has(lower) || lower.startsWith('x-lockbox-')) {
      if (lower === 'x-request-id') {
        if (REQUEST_ID.test(value)) clientRequestId = value;
      } else if (lower === 'transfer-encoding') chunked = true;
      else if (lower === 'connection') connection = connection ? `${connection},${value}` : value;
      continue;
    }
    if (lower === 'origin') origin = value;
    else if (lower === 'content-length') contentLength = value;
    else if (lower === 'access-control-request-method') preflight = true;
    forward.push(lower, value);
  }
  // Headers the client named in Connection are hop-by-hop too.
  if (connection) {
    const named = connection
      .toLowerCase()
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t && t !== 'keep-alive' && t !== 'close' && t !== 'upgrade');
    if (named.length > 0) {
      for (let i = forward.length - 2; i >= 0; i -= 2) {
        const n = forward[i] as string;
        if (named.includes(n) && n !== 'content-length') forward.splice(i, 2); // framing stays ours
      }
    }
  }
  return { forward, origin, clientRequestId, contentLength, chunked, preflight };
};

export const addGatewayHeaders = (
  forward: string[],
  gatewayToken: string,
  clientIp: string,
  requestId: string,
): string[] => {
  forward.push(
    GATEWAY_HEADER,
    gatewayToken,
    CLIENT_IP_HEADER,
    clientIp,
    'x-forwarded-for',
    clientIp,
    'x-request-id',
    requestId,
  );
  return forward;
};

/** The same hygiene for a header object (WebSocket upgrades go through http-proxy-3, which takes `req.headers`). */
export const cleanHeaderObject = (
  headers: Record<string, string | string[] | undefined>,
  gatewayToken: string,
  clientIp: string,
  requestId: string,
): void => {
  for (const name of Object.keys(headers)) {
    if (name === 'connection' || name === 'upgrade' || name === 'host') continue; // the upgrade needs these
    if (DROPPED.has(name) || name.startsWith('x-lockbox-')) delete headers[name];
  }
  headers[GATEWAY_HEADER] = gatewayToken;
  headers[CLIENT_IP_HEADER] = clientIp;
  headers['x-forwarded-for'] = clientIp;
  headers['x-request-id'] = requestId;
};

export const validRequestId = (value: string | string[] | undefined): string | undefined =>
  typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
