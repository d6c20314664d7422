/**
 * The SDK session of this browser: tokens and identity keys in IndexedDB (so a
 * reload stays signed in), the browser's own WebSocket for the live stream,
 * and the gateway at this page's origin.
 */
import {
  IndexedDbStore,
  LockboxSession,
  type MinimalWebSocket,
  type WebSocketFactory,
} from '@lockbox/client';

const browserWebSocket: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols) as unknown as MinimalWebSocket;

export const openBrowserSession = (): Promise<LockboxSession> =>
  LockboxSession.open({
    baseUrl: window.location.origin,
    store: new IndexedDbStore('lockbox'),
    webSocket: browserWebSocket,
  });
