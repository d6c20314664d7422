/** A store that forgets everything when the process ends: tests and throwaway sessions. */
import { createNamedMutex } from './mutex';
import { assertStoreKey, type KeyValueStore } from './types';

export class MemoryStore implements KeyValueStore {
  readonly #data = new Map<string, string>();
  readonly #mutex = createNamedMutex();

  async get(key: string) {
    return this.#data.get(assertStoreKey(key));
  }

  async set(key: string, value: string) {
    this.#data.set(assertStoreKey(key), value);
  }

  async delete(key: string) {
    this.#data.delete(assertStoreKey(key));
  }

  async keys(prefix: string) {
    return [...this.#data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  withLock<T>(name: string, fn: () => Promise<T>) {
    return this.#mutex(name, fn);
  }
}
