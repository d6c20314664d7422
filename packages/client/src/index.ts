/**
 * @lockbox/client — the browser-safe entry: no `node:` import anywhere below
 * it. Node-only pieces (FileStore, the `ws` WebSocket) are in `@lockbox/client/node`.
 */
export * from './api/client';
export * from './api/errors';
export { InvalidResponseError } from './api/response-validation';
export type { LockboxRouter, PublicContract } from './api/router';
export * from './api/tokens';
export * as crypto from './crypto';
export { CryptoError, type CryptoErrorCode } from './crypto/errors';
export * from './realtime/backoff';
export * from './realtime/client';
export type { IdentityChangedEvent, KeyChangedEvent } from './session/contact-keys';
export * from './session/errors';
export { KDF_CEILING, KDF_FLOOR, type KdfCheckOptions } from './session/kdf-guard';
export type { DecryptedMessage } from './session/messages';
export type { Account, Pin } from './session/profile';
export type { RequestNote, WithNote } from './session/request-notes';
export * from './session/session';
export { NoVaultError } from './session/vault-freshness';
export * from './store/idb-wrapping-key';
export * from './store/indexeddb';
export * from './store/memory';
export * from './store/types';
export * from './store/wrapped-secrets';
