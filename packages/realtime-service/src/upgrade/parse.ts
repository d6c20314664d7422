/**
 * Reads what an upgrade request asks for: whose socket (`/ws` or `/ws/{user_id}`),
 * the access token (`?token=`, a `bearer.<token>` subprotocol, or an
 * Authorization header for non-browser clients), and where to resume from.
 * Shape problems are 4xx here; whether the token is good is decided later.
 */
import type { IncomingMessage } from 'node:http';
import { WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX, ZFrameCursor, ZUserId } from '@lockbox/contracts';
import { AppError } from '@lockbox/service-kit';

export interface UpgradeAsk {
  /** The user id in `/ws/{user_id}` (original clients); must be the token's user. */
  pathUserId: string | undefined;
  token: string | undefined;
  /** undefined: live only; null: replay from the beginning; a cursor: replay after it. */
  after: string | null | undefined;
  /** The subprotocol to answer with, when the client offered ours. */
  protocol: string | undefined;
}

const WS_PATH = /^\/ws(?:\/([^/]*))?\/?$/;

const singleParams = (search: string): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (out.has(k)) throw new AppError('invalid_input', `query parameter "${k}" repeated`);
    out.set(k, v);
  }
  return out;
};

export const parseUpgradeRequest = (req: IncomingMessage): UpgradeAsk => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const match = WS_PATH.exec(pathname);
  if (!match) throw new AppError('not_found', 'WebSocket endpoint is /ws');
  let pathUserId: string | undefined;
  if (match[1]) {
    const parsed = ZUserId.safeParse(decodeURIComponent(match[1]));
    if (!parsed.success) throw new AppError('invalid_input', 'path user id is not a user id');
    pathUserId = parsed.data;
  }

  const params = singleParams(q === -1 ? '' : url.slice(q + 1));
  const tokens = new Set<string>();
  const queryToken = params.get('token');
  if (queryToken) tokens.add(queryToken);

  let protocol: string | undefined;
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered === 'string') {
    for (const raw of offered.split(',')) {
      const p = raw.trim();
      if (p === WS_SUBPROTOCOL) protocol = p;
      else if (p.startsWith(WS_TOKEN_SUBPROTOCOL_PREFIX) && p.length > WS_TOKEN_SUBPROTOCOL_PREFIX.length)
        tokens.add(p.slice(WS_TOKEN_SUBPROTOCOL_PREFIX.length));
    }
  }
  const authorization = req.headers.authorization;
  if (typeof authorization === 'string') {
    const bearer = /^Bearer (\S+)$/i.exec(authorization);
    if (!bearer) throw new AppError('unauthorized', 'malformed Authorization header');
    tokens.add(bearer[1] as string);
  }
  if (tokens.size > 1) throw new AppError('invalid_input', 'more than one access token given');

  let after: string | null | undefined;
  const rawAfter = params.get('after');
  if (rawAfter !== undefined) {
    if (rawAfter === '') after = null;
    else {
      const parsed = ZFrameCursor.safeParse(rawAfter);
      if (!parsed.success) throw new AppError('invalid_input', '"after" is not a cursor');
      after = parsed.data;
    }
  }
  const [token] = tokens;
  return { pathUserId, token, after, protocol };
};
