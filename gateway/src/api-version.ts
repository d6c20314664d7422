/**
 * `/v1/...` is the versioned name of every public route (`API_BASE_PATH` in
 * the contracts). The services only know the unversioned paths, so the gateway
 * strips the version before routing and forwards the unversioned URL; the
 * unversioned paths keep answering for the original clients.
 */
import type { IncomingMessage } from 'node:http';
import { API_BASE_PATH } from '@lockbox/contracts';

/** `/v1/auth/me` → `/auth/me`, `/v1` → `/`; undefined for a path outside `/v1`. */
export const stripApiVersion = (pathname: string): string | undefined => {
  if (!pathname.startsWith(API_BASE_PATH)) return undefined;
  const rest = pathname.slice(API_BASE_PATH.length);
  if (rest === '') return '/';
  return rest.charCodeAt(0) === 47 /* / */ ? rest : undefined;
};

/**
 * Rewrites a `/v1/...` request's URL (query kept) to the path the services
 * serve, for the proxies that forward `req.url`. Returns whether it did.
 */
export const unversionRequest = (req: IncomingMessage): boolean => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const stripped = stripApiVersion(q === -1 ? url : url.slice(0, q));
  if (stripped === undefined) return false;
  req.url = q === -1 ? stripped : stripped + url.slice(q);
  return true;
};
