/**
 * The SDK session of this browser: tokens and identity keys in IndexedDB (so a
 * reload stays signed in), the browser's own WebSocket for the live stream,
 * and the gateway at this page's origin.
 *
 * Secrets at rest: the identity seeds, the vault key and the tokens are
 * encrypted in IndexedDB under a non-extractable AES-GCM key that only this
 * origin's WebCrypto can use (WrappedSecretsStore). argon2id runs in a Web
 * Worker, so signing in does not freeze the page. The device it registers
 * is named after the browser and platform ("Chromium on Linux").
 */
import {
  crypto,
  IndexedDbStore,
  indexedDbWrappingKey,
  LockboxSession,
  type MinimalWebSocket,
  type WebSocketFactory,
  WrappedSecretsStore,
} from '@lockbox/client';
import { thisBrowserName } from './device-name';
import { workerArgon2id } from './worker-argon2';

const DATABASE = 'lockbox';

const browserWebSocket: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols) as unknown as MinimalWebSocket;

/** In a Web Worker; a browser without workers derives on the main thread. */
const argon2id: crypto.Argon2id = typeof Worker === 'function' ? workerArgon2id : crypto.wasmArgon2id;

export const openBrowserSession = (): Promise<LockboxSession> =>
  LockboxSession.open({
    baseUrl: window.location.origin,
    store: new WrappedSecretsStore(new IndexedDbStore(DATABASE), indexedDbWrappingKey(DATABASE)),
    webSocket: browserWebSocket,
    argon2id,
    deviceName: thisBrowserName(),
    protocol: e2eProtocol(),
  });

/** E2E v2 (MLS, devices) is opt-in for now: localStorage `lockbox.e2e` = `v2` in this browser. */
const e2eProtocol = (): 'v1' | 'v2' => {
  try {
    return window.localStorage.getItem('lockbox.e2e') === 'v2' ? 'v2' : 'v1';
  } catch {
    return 'v1';
  }
};
