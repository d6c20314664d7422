/**
 * WrappedSecretsStore (secrets at rest in the browser, issue 11 finding 11),
 * in Node's WebCrypto over a MemoryStore: secrets never reach the inner store
 * in clear, clear values of an earlier version are sealed on first use, a
 * sealed value cannot be moved under another key or changed, the wrapping key
 * is not extractable, and the profile's other keys pass through.
 */
import { describe, expect, it } from 'vitest';
import {
  generateWrappingKey,
  MemoryStore,
  WRAPPED_PREFIX,
  WrappedSecretsStore,
  type WrappingKeyHolder,
} from '../../src';

const memoryHolder = (): WrappingKeyHolder & { saved: CryptoKey[] } => {
  const saved: CryptoKey[] = [];
  return {
    saved,
    load: async () => saved[saved.length - 1],
    save: async (key) => {
      saved.push(key);
    },
  };
};

const identity = JSON.stringify({ user_id: 'usr_x', identities: [{ signing_seed: 'SEED-IN-CLEAR' }] });

describe('WrappedSecretsStore', () => {
  it('seals the secret keys and passes the others through', async () => {
    const inner = new MemoryStore();
    const store = new WrappedSecretsStore(inner, memoryHolder());
    await store.set('identity', identity);
    await store.set('vault-key', '{"key":"VAULT-KEY-IN-CLEAR"}');
    await store.set('session', '{"access_token":"TOKEN-IN-CLEAR"}');
    await store.set('account', '{"user_id":"usr_x"}');

    for (const key of ['identity', 'vault-key', 'session']) {
      const raw = (await inner.get(key)) ?? '';
      expect(raw.startsWith(WRAPPED_PREFIX)).toBe(true);
      expect(raw).not.toMatch(/IN-CLEAR/);
    }
    expect(await inner.get('account')).toBe('{"user_id":"usr_x"}');
    expect(await store.get('identity')).toBe(identity);
    expect(await store.get('session')).toBe('{"access_token":"TOKEN-IN-CLEAR"}');
    expect(await store.keys('')).toEqual(['account', 'identity', 'session', 'vault-key']);
  });

  it('migrates clear secrets of an earlier version on first use, with one wrapping key', async () => {
    const inner = new MemoryStore();
    await inner.set('identity', identity);
    await inner.set('session', '{"access_token":"TOKEN-IN-CLEAR"}');
    const holder = memoryHolder();
    const store = new WrappedSecretsStore(inner, holder);

    expect(await store.get('account')).toBeUndefined();
    expect(await store.get('session')).toBe('{"access_token":"TOKEN-IN-CLEAR"}');
    expect((await inner.get('identity'))?.startsWith(WRAPPED_PREFIX)).toBe(true);
    expect((await inner.get('session'))?.startsWith(WRAPPED_PREFIX)).toBe(true);
    expect(await store.get('identity')).toBe(identity);

    // A second open of the same device reuses the saved key and reads the sealed values.
    const again = new WrappedSecretsStore(inner, holder);
    expect(await again.get('identity')).toBe(identity);
    expect(holder.saved).toHaveLength(1);
  });

  it('reads a sealed value moved under another key, or changed, as absent', async () => {
    const inner = new MemoryStore();
    const store = new WrappedSecretsStore(inner, memoryHolder());
    await store.set('identity', identity);
    await store.set('session', '{"access_token":"t"}');

    await inner.set('session', (await inner.get('identity')) ?? '');
    expect(await store.get('session')).toBeUndefined();

    const sealed = (await inner.get('identity')) ?? '';
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    await inner.set('identity', flipped);
    expect(await store.get('identity')).toBeUndefined();
  });

  it('reads as absent under a different wrapping key (the key was lost): the device looks signed out', async () => {
    const inner = new MemoryStore();
    await new WrappedSecretsStore(inner, memoryHolder()).set('identity', identity);
    expect(await new WrappedSecretsStore(inner, memoryHolder()).get('identity')).toBeUndefined();
  });

  it('makes a wrapping key that cannot be exported', async () => {
    const key = await generateWrappingKey();
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(globalThis.crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });
});
