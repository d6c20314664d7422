/** The internal credential: derived from one shared secret, kept in a private file when not given. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveCredentials, loadSharedSecret, safeEqual } from '../src/internal-auth';

describe('deriveCredentials', () => {
  it('is deterministic, and the internal and gateway tokens differ from each other and from the secret', () => {
    const secret = 's'.repeat(40);
    const a = deriveCredentials(secret);
    expect(deriveCredentials(secret)).toEqual(a);
    expect(a.internalToken).not.toBe(a.gatewayToken);
    expect(a.internalToken).not.toContain(secret);
    expect(a.internalToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs for another secret', () => {
    expect(deriveCredentials('a'.repeat(40)).internalToken).not.toBe(
      deriveCredentials('b'.repeat(40)).internalToken,
    );
  });
});

describe('loadSharedSecret', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sk-secret-'));

  it('prefers the environment', () => {
    const dir = tmp();
    expect(loadSharedSecret('from-env-'.repeat(4), dir)).toBe('from-env-'.repeat(4));
    expect(fs.existsSync(path.join(dir, 'internal-secret'))).toBe(false);
  });

  it('makes a private file once and reads it back afterwards', () => {
    const dir = path.join(tmp(), 'nested');
    const first = loadSharedSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, 'internal-secret');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSharedSecret(undefined, dir)).toBe(first);
  });
});

describe('safeEqual', () => {
  it('compares strings exactly and refuses missing or repeated headers', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abd', 'abc')).toBe(false);
    expect(safeEqual('ab', 'abc')).toBe(false);
    expect(safeEqual(undefined, 'abc')).toBe(false);
    expect(safeEqual(['abc', 'abc'], 'abc')).toBe(false);
  });
});
