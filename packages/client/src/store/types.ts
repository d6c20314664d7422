/**
 * Where the SDK keeps what must survive a restart: the session's tokens, this
 * account's identity seeds, the contact keys pinned on first use, and the
 * realtime cursor. A store is a small string key-value map with a lock;
 * `FileStore` (Node, `@lockbox/client/node`), `IndexedDbStore` (browsers) and
 * `MemoryStore` (tests, throwaway sessions) implement it.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Runs `fn` holding an exclusive lock shared by every process or tab using
   * this store (two CLI commands on one LOCKBOX_HOME must not both spend the
   * same refresh token: the server would take that for theft and end the session).
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Store keys are also file names: lowercase letters, digits, `_`, `-` and `.`. */
export const STORE_KEY_PATTERN = /^[a-z0-9_.-]{1,120}$/;

export const assertStoreKey = (key: string): string => {
  if (!STORE_KEY_PATTERN.test(key) || key.startsWith('.')) throw new Error(`invalid store key ${key}`);
  return key;
};
