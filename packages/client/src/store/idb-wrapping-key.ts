/**
 * Keeps WrappedSecretsStore's wrapping key in IndexedDB as a CryptoKey object
 * (structured clone keeps it non-extractable: the browser stores the key
 * material, script only ever gets a handle). A database of its own, next to
 * the profile's (`<name>-wrapping-key`), so the string store's schema is
 * untouched.
 */
import type { WrappingKeyHolder } from './wrapped-secrets';

const OBJECT_STORE = 'keys';
const KEY_ID = 'store-wrapping-key';

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

export const wrappingKeyDatabaseName = (profileDatabase: string) => `${profileDatabase}-wrapping-key`;

export const indexedDbWrappingKey = (
  profileDatabase = 'lockbox',
  factory: IDBFactory = globalThis.indexedDB,
): WrappingKeyHolder => {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    db ??= new Promise((resolve, reject) => {
      const req = factory.open(wrappingKeyDatabaseName(profileDatabase), 1);
      req.onupgradeneeded = () => req.result.createObjectStore(OBJECT_STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('cannot open IndexedDB'));
    });
    return db;
  };
  const store = async (mode: IDBTransactionMode) =>
    (await open()).transaction(OBJECT_STORE, mode).objectStore(OBJECT_STORE);
  return {
    async load() {
      const key: unknown = await done((await store('readonly')).get(KEY_ID));
      return key instanceof CryptoKey ? key : undefined;
    },
    async save(key) {
      await done((await store('readwrite')).put(key, KEY_ID));
    },
  };
};
