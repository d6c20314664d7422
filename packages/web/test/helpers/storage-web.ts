/**
 * Page-side probes for the web slice's tests: the raw IndexedDB contents a
 * thief of the browser profile would read, the wrapping key's properties,
 * planting an earlier version's clear values, and counting main-thread
 * WebAssembly (where argon2id would run if it were not in the worker).
 */
import type { Page } from 'playwright-core';

/** Every key → value of the profile's string store, read with the raw IndexedDB API (no SDK). */
export const rawProfileStore = (page: Page, database = 'lockbox'): Promise<Record<string, string>> =>
  page.evaluate(
    (name) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('kv', 'readonly');
          const store = tx.objectStore('kv');
          const keys = store.getAllKeys();
          const values = store.getAll();
          tx.oncomplete = () => {
            const out: Record<string, string> = {};
            keys.result.forEach((k, i) => {
              out[String(k)] = String(values.result[i]);
            });
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    database,
  );

export interface WrappingKeyFacts {
  isCryptoKey: boolean;
  extractable: boolean;
  algorithm: string;
  length: number;
  usages: string[];
  exportError: string | undefined;
}

/** The stored wrapping key as the page sees it, and what happens when the page tries to export it. */
export const wrappingKeyFacts = (page: Page, database = 'lockbox-wrapping-key'): Promise<WrappingKeyFacts> =>
  page.evaluate(
    (name) =>
      new Promise<WrappingKeyFacts>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('keys')) {
            db.close();
            reject(new Error(`no wrapping key: ${name} has no "keys" store`));
            return;
          }
          const get = db.transaction('keys', 'readonly').objectStore('keys').get('store-wrapping-key');
          get.onerror = () => reject(get.error);
          get.onsuccess = async () => {
            const key = get.result as CryptoKey;
            db.close();
            let exportError: string | undefined;
            try {
              await crypto.subtle.exportKey('raw', key);
            } catch (err) {
              exportError = (err as Error).name;
            }
            resolve({
              isCryptoKey: key instanceof CryptoKey,
              extractable: key.extractable,
              algorithm: key.algorithm.name,
              length: (key.algorithm as AesKeyAlgorithm).length,
              usages: [...key.usages].sort(),
              exportError,
            });
          };
        };
      }),
    database,
  );

/** Writes values into the profile's store as an earlier version of the app left them (in clear). */
export const plantProfileStore = (page: Page, values: Record<string, string>, database = 'lockbox') =>
  page.evaluate(
    ({ name, entries }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(name, 1);
        open.onupgradeneeded = () => open.result.createObjectStore('kv');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('kv', 'readwrite');
          for (const [k, v] of entries) tx.objectStore('kv').put(v, k);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { name: database, entries: Object.entries(values) },
  );

/**
 * Before any page script runs, counts WebAssembly compilations on the page's
 * main thread (workers have their own WebAssembly object, untouched). The
 * SDK's only WebAssembly is argon2id (hash-wasm), so zero means the
 * derivation ran elsewhere.
 */
export const countMainThreadWasm = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __mainThreadWasm: number };
    w.__mainThreadWasm = 0;
    const wasm = WebAssembly as unknown as Record<string, unknown>;
    for (const name of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {
      const original = wasm[name] as (...args: unknown[]) => unknown;
      if (typeof original !== 'function') continue;
      wasm[name] = (...args: unknown[]) => {
        w.__mainThreadWasm += 1;
        return original.apply(WebAssembly, args);
      };
    }
    const OriginalModule = WebAssembly.Module;
    wasm.Module = new Proxy(OriginalModule, {
      construct(target, args) {
        w.__mainThreadWasm += 1;
        return Reflect.construct(target, args);
      },
    });
  });

export const mainThreadWasmCount = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __mainThreadWasm: number }).__mainThreadWasm);
