/**
 * The upgrade: every check happens before `101 Switching Protocols`, so a
 * refused client never holds a socket. Order: the path, the Origin (browser
 * cross-site hijacking), the token (401), the path id against the token's user
 * (403), the per-user socket cap (429). Only then does `ws` take the socket.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { errorStatus, WS_SUBPROTOCOL } from '@lockbox/contracts';
import {
  AppError,
  type AuthUser,
  CLIENT_IP_HEADER,
  GATEWAY_HEADER,
  type Logger,
  type ServiceCredentials,
  safeEqual,
} from '@lockbox/service-kit';
import { type WebSocket, WebSocketServer } from 'ws';
import { parseUpgradeRequest, type UpgradeAsk } from './parse';
import { refuseUpgrade } from './refuse';

export interface AcceptedUpgrade {
  ws: WebSocket;
  user: AuthUser;
  ask: UpgradeAsk;
  clientIp: string;
  /** Without `?after=`: the user's latest cursor when the upgrade was accepted (undefined if unknown). */
  startCursor: string | undefined;
}

export interface UpgradeOptions {
  log: Logger;
  credentials: ServiceCredentials;
  authenticate: (authorization: string | undefined) => Promise<AuthUser>;
  originAllowed: (origin: string | string[] | undefined, host?: string) => boolean;
  maxPayload: number;
  maxSocketsPerUser: number;
  socketsOf: (userId: string) => number;
  /** False while shutting down: new sockets are refused with 503 and go to another instance. */
  accepting: () => boolean;
  /**
   * The user's latest cursor, read before the 101 for a socket without `?after=`: the socket
   * then starts right there, so every message committed after the client saw its socket open
   * reaches it, in order, even when a later one arrives first (another instance's fan-out can be
   * slower than a direct hand-over). Undefined when unknown: the first live message starts it.
   */
  startCursor: (userId: string) => Promise<string | undefined>;
  onAccepted: (accepted: AcceptedUpgrade) => void;
}

const authorize = async (req: http.IncomingMessage, opts: UpgradeOptions) => {
  if (!opts.accepting()) throw new AppError('service_unavailable', 'shutting down', { retryAfter: 1 });
  const ask = parseUpgradeRequest(req);
  if (!opts.originAllowed(req.headers.origin, req.headers.host))
    throw new AppError('forbidden', 'origin not allowed');
  if (!ask.token) throw new AppError('unauthorized', 'missing access token');
  const user = await opts.authenticate(`Bearer ${ask.token}`);
  if (ask.pathUserId !== undefined && ask.pathUserId !== user.id)
    throw new AppError('forbidden', "the path user id is not the token's user");
  if (opts.socketsOf(user.id) >= opts.maxSocketsPerUser)
    throw new AppError('rate_limited', 'too many open sockets for this user', { retryAfter: 5 });
  const startCursor = ask.after === undefined ? await opts.startCursor(user.id) : undefined;
  return { ask, user, startCursor };
};

export const attachUpgradeHandler = (server: http.Server, opts: UpgradeOptions): WebSocketServer => {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload,
    perMessageDeflate: false,
    // Our registry tracks sockets; ws's own Set would be a second copy.
    clientTracking: false,
    handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not become an unhandled 'error'.
    const ignore = () => undefined;
    socket.on('error', ignore);
    const given = req.headers['x-request-id'];
    const requestId =
      typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    const fromGateway = safeEqual(req.headers[GATEWAY_HEADER], opts.credentials.gatewayToken);
    const forwarded = req.headers[CLIENT_IP_HEADER];
    const clientIp =
      fromGateway && typeof forwarded === 'string' ? forwarded : (req.socket.remoteAddress ?? 'unknown');

    authorize(req, opts).then(
      ({ ask, user, startCursor }) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          socket.off('error', ignore);
          opts.onAccepted({ ws, user, ask, clientIp, startCursor });
        });
      },
      (err: unknown) => {
        const appErr =
          err instanceof AppError ? err : new AppError('internal', 'upgrade failed', { cause: err });
        const status = errorStatus(appErr.appCode);
        if (status >= 500) opts.log.warn({ err, requestId }, 'upgrade refused with a server error');
        else opts.log.debug({ status, code: appErr.appCode, requestId, clientIp }, 'upgrade refused');
        refuseUpgrade(socket, status, appErr.appCode, appErr.message, requestId, appErr.retryAfter);
      },
    );
  });
  return wss;
};
