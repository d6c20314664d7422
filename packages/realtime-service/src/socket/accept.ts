/**
 * A socket that passed the upgrade checks becomes a Connection: registered
 * by user and session, wired to the client-frame handler and the heartbeat,
 * and, when it asked with `?after=`, replaying history before live messages.
 */
import { WS_CLOSE } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import type { Presence } from '../presence/presence';
import type { AcceptedUpgrade } from '../upgrade/handler';
import { Connection, type ConnectionShared } from './connection';
import type { ConnectionRegistry } from './registry';

export interface AcceptDeps {
  registry: ConnectionRegistry;
  shared: ConnectionShared;
  presence: Presence;
  onFrame: (conn: Connection, data: import('ws').RawData, isBinary: boolean) => void;
  /** The session may have been revoked between the token check and now. */
  isRevoked: (sessionId: string) => boolean;
  log: Logger;
}

export const createAcceptor = (deps: AcceptDeps) => {
  return ({ ws, user, ask, startCursor }: AcceptedUpgrade) => {
    const conn = new Connection(ws, user.id, user.sessionId, deps.shared);
    // Before it is registered: live messages from the first one on are judged against it.
    if (ask.after === undefined && startCursor !== undefined) conn.lastCursor = startCursor;
    if (deps.isRevoked(user.sessionId)) {
      conn.close(WS_CLOSE.sessionEnded, 'session ended');
      return;
    }
    const first = deps.registry.add(conn);
    ws.on('message', (data, isBinary) => deps.onFrame(conn, data, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    // Oversized frames (ws closes with 1009 itself), bad UTF-8 (1007), protocol errors: logged, never thrown.
    ws.on('error', (err) => deps.log.debug({ err: err.message, userId: conn.userId }, 'socket error'));
    ws.on('close', () => {
      conn.markClosed();
      if (deps.registry.remove(conn)) deps.presence.disconnected(conn.userId);
    });
    if (ask.after !== undefined) conn.resume(ask.after);
    deps.presence.connected(conn, first);
  };
};
