/**
 * @lockbox/client/node — what only Node has: the file store (0600 files under
 * a directory) and a WebSocket factory over `ws`. `openNodeSession` wires both.
 */
import WebSocket from 'ws';
import type { MinimalWebSocket, WebSocketFactory } from './realtime/client';
import { LockboxSession, type SessionOptions } from './session/session';
import { FileStore } from './store/file';

export * from './index';
export { FileStore };

export const nodeWebSocket: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols, { handshakeTimeout: 10_000 }) as unknown as MinimalWebSocket;

/** A session whose keys and tokens live under `dir` (e.g. LOCKBOX_HOME). */
export const openNodeSession = (
  opts: Omit<SessionOptions, 'store' | 'webSocket'> & { dir: string },
): Promise<LockboxSession> => {
  const { dir, ...rest } = opts;
  return LockboxSession.open({ ...rest, store: new FileStore(dir), webSocket: nodeWebSocket });
};
