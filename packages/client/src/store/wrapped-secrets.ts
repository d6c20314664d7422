/**
 * A store decorator that keeps a device's secrets encrypted at rest: the
 * values of the secret keys (identity seeds, vault key, tokens) are sealed
 * with AES-256-GCM under a wrapping key that is a NON-EXTRACTABLE WebCrypto
 * key. In a browser that key lives in IndexedDB as a CryptoKey object
 * (idb-wrapping-key.ts): script on this origin can use it, but nobody can read
 * its bytes, and a copy of the database files alone (backup, disk image,
 * another profile's malware reading files) holds only ciphertext.
 *
 * Format of a sealed value: `wrapped.v1:` + base64(iv ‖ ciphertext ‖ tag), a
 * fresh 96-bit IV per write, and the store key bound as associated data
 * (`lockbox/v1/store/<key>`) so one sealed value cannot be moved under another
 * key. Other keys (account, pins, cursors) pass through unchanged.
 *
 * Migration: the first use seals every secret still stored in clear (an
 * earlier version's values). A value that no longer opens (the wrapping key
 * was deleted, or the bytes were changed) reads as absent: the device looks
 * signed out, and signing in restores everything from the vault.
 */
import { fromBase64, toBase64, utf8 } from '../crypto/bytes';
import type { KeyValueStore } from './types';

/** Where the wrapping key is kept (as the CryptoKey object itself, never as bytes). */
export interface WrappingKeyHolder {
  load(): Promise<CryptoKey | undefined>;
  save(key: CryptoKey): Promise<void>;
}

/** The keys whose values are secrets: profile.ts (`identity`, `vault-key`) and api/tokens.ts (`session`). */
export const SECRET_STORE_KEYS: readonly string[] = ['identity', 'vault-key', 'session'];
/** Every key under this prefix is secret too: E2E v2's device key, KeyPackages and group states (v2/device-state.ts). */
export const SECRET_STORE_PREFIX = 'mls.';

export const WRAPPED_PREFIX = 'wrapped.v1:';
const IV_BYTES = 12;
const AAD_LABEL = 'lockbox/v1/store/';

/** WebCrypto wants bytes over a plain ArrayBuffer. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(bytes);
const aad = (name: string) => own(utf8(AAD_LABEL + name));

/** AES-GCM 256, usable only to encrypt and decrypt, and never exportable. */
export const generateWrappingKey = (subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<CryptoKey> =>
  subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

export class WrappedSecretsStore implements KeyValueStore {
  #ready: Promise<CryptoKey> | undefined;
  readonly #secretNames: ReadonlySet<string>;

  readonly #inner: KeyValueStore;
  readonly #holder: WrappingKeyHolder;
  readonly #subtle: SubtleCrypto;

  constructor(
    inner: KeyValueStore,
    holder: WrappingKeyHolder,
    secretKeys: readonly string[] = SECRET_STORE_KEYS,
    subtle: SubtleCrypto = globalThis.crypto.subtle,
  ) {
    this.#inner = inner;
    this.#holder = holder;
    this.#subtle = subtle;
    this.#secretNames = new Set(secretKeys);
  }

  #isSecret(key: string): boolean {
    return this.#secretNames.has(key) || key.startsWith(SECRET_STORE_PREFIX);
  }

  /** The wrapping key (created on first use), after every clear secret has been sealed. */
  #wrappingKey(): Promise<CryptoKey> {
    this.#ready ??= this.#prepare().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  #prepare(): Promise<CryptoKey> {
    // Under the store's lock: two tabs opening at once must not each create (and save) a different key.
    return this.#inner.withLock('wrapping-key', async () => {
      let key = await this.#holder.load();
      if (!key) {
        key = await generateWrappingKey(this.#subtle);
        await this.#holder.save(key);
      }
      for (const name of [...this.#secretNames, ...(await this.#inner.keys(SECRET_STORE_PREFIX))]) {
        const value = await this.#inner.get(name);
        if (value !== undefined && !value.startsWith(WRAPPED_PREFIX))
          await this.#inner.set(name, await this.#seal(key, name, value));
      }
      return key;
    });
  }

  async #seal(key: CryptoKey, name: string, value: string): Promise<string> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(
      await this.#subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(name) }, key, own(utf8(value))),
    );
    const out = new Uint8Array(IV_BYTES + sealed.length);
    out.set(iv);
    out.set(sealed, IV_BYTES);
    return WRAPPED_PREFIX + toBase64(out);
  }

  async #open(key: CryptoKey, name: string, stored: string): Promise<string | undefined> {
    if (!stored.startsWith(WRAPPED_PREFIX)) return undefined;
    try {
      const bytes = fromBase64(stored.slice(WRAPPED_PREFIX.length));
      if (bytes.length <= IV_BYTES) return undefined;
      const plain = await this.#subtle.decrypt(
        { name: 'AES-GCM', iv: own(bytes.subarray(0, IV_BYTES)), additionalData: aad(name) },
        key,
        own(bytes.subarray(IV_BYTES)),
      );
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      // Not ours, changed, or sealed under a key this device no longer has: as if absent.
      return undefined;
    }
  }

  async get(key: string): Promise<string | undefined> {
    if (!this.#isSecret(key)) return this.#inner.get(key);
    const wrapping = await this.#wrappingKey();
    const stored = await this.#inner.get(key);
    return stored === undefined ? undefined : this.#open(wrapping, key, stored);
  }

  async set(key: string, value: string): Promise<void> {
    if (!this.#isSecret(key)) return this.#inner.set(key, value);
    await this.#inner.set(key, await this.#seal(await this.#wrappingKey(), key, value));
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  keys(prefix: string): Promise<string[]> {
    return this.#inner.keys(prefix);
  }

  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#inner.withLock(name, fn);
  }
}
