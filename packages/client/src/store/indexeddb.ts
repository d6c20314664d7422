/**
 * The browser store: one IndexedDB database per profile, one object store of
 * strings. Locks use the Web Locks API (shared by every tab of the origin)
 * where the browser has it, else an in-page mutex.
 */
import { createNamedMutex } from './mutex';
import { assertStoreKey, type KeyValueStore } from './types';

const OBJECT_STORE = 'kv';

const request = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

export class IndexedDbStore implements KeyValueStore {
  #db: Promise<IDBDatabase> | undefined;
  readonly #mutex = createNamedMutex();

  readonly #databaseName: string;
  readonly #factory: IDBFactory;

  constructor(databaseName = 'lockbox', factory: IDBFactory = globalThis.indexedDB) {
    this.#databaseName = databaseName;
    this.#factory = factory;
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const req = this.#factory.open(this.#databaseName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(OBJECT_STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('cannot open IndexedDB'));
    });
    return this.#db;
  }

  async #tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#open()).transaction(OBJECT_STORE, mode).objectStore(OBJECT_STORE);
  }

  async get(key: string) {
    const value = await request((await this.#tx('readonly')).get(assertStoreKey(key)));
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string) {
    await request((await this.#tx('readwrite')).put(value, assertStoreKey(key)));
  }

  async delete(key: string) {
    await request((await this.#tx('readwrite')).delete(assertStoreKey(key)));
  }

  async keys(prefix: string) {
    const all = await request((await this.#tx('readonly')).getAllKeys());
    return all.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix)).sort();
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks) return locks.request(`${this.#databaseName}:${name}`, fn) as Promise<T>;
    return this.#mutex(name, fn);
  }

  close() {
    void this.#db?.then((db) => db.close());
    this.#db = undefined;
  }
}
