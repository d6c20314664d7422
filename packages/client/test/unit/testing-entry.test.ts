/**
 * A weak RNG cannot reach a session by accident: SessionOptions has no
 * `random`, the main entry exports no way to set one, and only
 * `@lockbox/client/testing` can.
 */
import { describe, expect, it } from 'vitest';
import * as client from '../../src';
import { MemoryStore, type SessionOptions } from '../../src';
import { systemRandom } from '../../src/crypto';
import { internalsOf } from '../../src/session/internals';
import * as testing from '../../src/testing';

describe('the test-only random entry', () => {
  it('SessionOptions has no random option, and an extra one is ignored', async () => {
    const options: SessionOptions = {
      baseUrl: 'http://127.0.0.1:9',
      store: new MemoryStore(),
      // @ts-expect-error -- there is no such option any more
      random: () => new Uint8Array(32),
    };
    const session = await client.LockboxSession.open(options);
    expect(internalsOf.get(session)?.random).toBe(systemRandom);
  });

  it('the main entry does not export the override; the testing entry does, and it takes effect', async () => {
    expect(Object.keys(client)).not.toContain('openSessionWithRandom');
    expect(Object.keys(client)).not.toContain('registerTestRandom');
    const fixed = (n: number) => new Uint8Array(n).fill(1);
    const session = await testing.openSessionWithRandom(
      { baseUrl: 'http://127.0.0.1:9', store: new MemoryStore() },
      fixed,
    );
    expect(internalsOf.get(session)?.random).toBe(fixed);
  });

  it('package.json maps @lockbox/client/testing to the testing module', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
      exports: Record<string, string>;
    };
    expect(pkg.exports['./testing']).toBe('./src/testing.ts');
  });
});
