/**
 * What every request carries before any route looks at it: its id, its path
 * and query, and the credentials it presents, verified once into its context.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AuthUser, RequestContext } from '../context';
import {
  CLIENT_IP_HEADER,
  GATEWAY_HEADER,
  INTERNAL_HEADER,
  type ServiceCredentials,
  safeEqual,
} from '../internal-auth';
import type { Logger } from '../logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's `x-request-id` when it is a sane one, else a fresh id. */
export const requestIdOf = (req: IncomingMessage): string => {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
};

/** `/a/b?x=1` → `{ pathname: '/a/b', search: 'x=1' }`, without a URL object per request. */
export const splitUrl = (url: string): { pathname: string; search: string } => {
  const q = url.indexOf('?');
  return q === -1 ? { pathname: url, search: '' } : { pathname: url.slice(0, q), search: url.slice(q + 1) };
};

export interface ContextSources {
  credentials: ServiceCredentials;
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
  log: Logger;
}

/**
 * The request's context. The client address is the gateway's word only when
 * the gateway proved itself; the internal flag is set only by the internal
 * credential (the gateway token is not it).
 */
export const requestContextOf = (
  req: IncomingMessage,
  requestId: string,
  pathname: string,
  sources: ContextSources,
): RequestContext => {
  const fromGateway = safeEqual(req.headers[GATEWAY_HEADER], sources.credentials.gatewayToken);
  const forwardedIp = req.headers[CLIENT_IP_HEADER];
  const clientIp =
    fromGateway && typeof forwardedIp === 'string' ? forwardedIp : (req.socket.remoteAddress ?? 'unknown');
  return new RequestContext(
    requestId,
    clientIp,
    req.headers.authorization,
    safeEqual(req.headers[INTERNAL_HEADER], sources.credentials.internalToken),
    sources.authenticate,
    sources.log,
    pathname,
  );
};
