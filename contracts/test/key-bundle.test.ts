/** The bytes an identity key signs: fixed here so the SDK and the server can never drift apart. */
import { describe, expect, it } from 'vitest';
import {
  KEY_BUNDLE_CONTEXT,
  KEY_BUNDLE_V2_CONTEXT,
  keyBundleHeaderProblem,
  keyBundleSigningBytes,
} from '../src/auth/key-bundle';
import { ZKeyBundleSchema } from '../src/auth/schemas';

const bundle = {
  version: 1 as const,
  identity_key: Buffer.alloc(32, 1).toString('base64'),
  x25519_key: Buffer.alloc(32, 2).toString('base64'),
  mlkem768_key: Buffer.alloc(1184, 3).toString('base64'),
  created_at: '2026-01-02T03:04:05.000Z',
};
const USER = 'usr_0123456789abcdefghjkmnpqrs';

describe('keyBundleSigningBytes', () => {
  it('is the context, version, user id and fields joined by newlines, in UTF-8', () => {
    const text = new TextDecoder().decode(keyBundleSigningBytes(USER, bundle));
    expect(text).toBe(
      [
        'lockbox/key-bundle/v1',
        '1',
        USER,
        'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=',
        'AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=',
        bundle.mlkem768_key,
        '2026-01-02T03:04:05.000Z',
      ].join('\n'),
    );
    expect(KEY_BUNDLE_CONTEXT).toBe('lockbox/key-bundle/v1');
  });

  it('has a stable digest (a change here breaks every published bundle)', async () => {
    const digest = Buffer.from(
      await crypto.subtle.digest('SHA-256', keyBundleSigningBytes(USER, bundle)),
    ).toString('hex');
    expect(digest).toBe(GOLDEN_SHA256);
  });

  it('binds the user id and every field', () => {
    const base = Buffer.from(keyBundleSigningBytes(USER, bundle));
    const variants = [
      keyBundleSigningBytes('usr_zzzzzzzzzzzzzzzzzzzzzzzzzz', bundle),
      keyBundleSigningBytes(USER, { ...bundle, identity_key: bundle.x25519_key }),
      keyBundleSigningBytes(USER, { ...bundle, x25519_key: bundle.identity_key }),
      keyBundleSigningBytes(USER, { ...bundle, mlkem768_key: Buffer.alloc(1184, 4).toString('base64') }),
      keyBundleSigningBytes(USER, { ...bundle, created_at: '2026-01-02T03:04:06.000Z' }),
    ];
    for (const v of variants) expect(Buffer.from(v).equals(base)).toBe(false);
  });

  it('ignores a signature passed along with the bundle', () => {
    const withSig = { ...bundle, signature: Buffer.alloc(64).toString('base64') };
    expect(
      Buffer.from(keyBundleSigningBytes(USER, withSig)).equals(
        Buffer.from(keyBundleSigningBytes(USER, bundle)),
      ),
    ).toBe(true);
  });
});

describe('ZKeyBundleSchema', () => {
  const signed = { ...bundle, signature: Buffer.alloc(64, 9).toString('base64') };
  it('accepts a well-formed bundle, version 1 (legacy) or 2 (with its lowercase username)', () => {
    expect(ZKeyBundleSchema.safeParse(signed).success).toBe(true);
    expect(ZKeyBundleSchema.safeParse({ ...signed, version: 2, username: 'alice' }).success).toBe(true);
  });
  it.each([
    ['a user_id (identity comes from the token)', { ...signed, user_id: USER }],
    ['a 33-byte X25519 key', { ...signed, x25519_key: Buffer.alloc(33).toString('base64') }],
    ['a 31-byte identity key', { ...signed, identity_key: Buffer.alloc(31).toString('base64') }],
    ['a short ML-KEM key', { ...signed, mlkem768_key: Buffer.alloc(1183).toString('base64') }],
    ['a 63-byte signature', { ...signed, signature: Buffer.alloc(63).toString('base64') }],
    ['version 3', { ...signed, version: 3 }],
    ['version 2 without a username', { ...signed, version: 2 }],
    ['version 2 with an uppercase username', { ...signed, version: 2, username: 'Alice' }],
    ['version 1 with a username', { ...signed, username: 'alice' }],
    ['a bad date', { ...signed, created_at: 'yesterday' }],
  ])('refuses %s', (_what, value) => {
    expect(ZKeyBundleSchema.safeParse(value).success).toBe(false);
  });
});

describe('keyBundleSigningBytes, version 2', () => {
  const v2 = { ...bundle, version: 2 as const, username: 'alice' };
  it('has its own context and signs the username after the user id', () => {
    const text = new TextDecoder().decode(keyBundleSigningBytes(USER, v2));
    expect(text.split('\n').slice(0, 4)).toEqual([KEY_BUNDLE_V2_CONTEXT, '2', USER, 'alice']);
    expect(KEY_BUNDLE_V2_CONTEXT).toBe('lockbox/key-bundle/v2');
  });
  it('binds the username (and never equals the version 1 bytes)', () => {
    const base = Buffer.from(keyBundleSigningBytes(USER, v2));
    expect(base.equals(Buffer.from(keyBundleSigningBytes(USER, { ...v2, username: 'mallory' })))).toBe(false);
    expect(base.equals(Buffer.from(keyBundleSigningBytes(USER, bundle)))).toBe(false);
  });
});

describe('keyBundleHeaderProblem', () => {
  const now = Date.parse('2026-06-01T00:00:00.000Z');
  it.each([
    [{ version: 3, created_at: bundle.created_at }, /version/],
    [{ version: '2', created_at: bundle.created_at }, /version/],
    [{ version: 2, created_at: '2026-06-03T00:00:00.000Z' }, /future/],
    [{ version: 2, created_at: '2023-12-31T23:59:59.000Z' }, /before/],
    [{ version: 2, created_at: '2026-06-01T00:00:00+02:00' }, /ISO/],
    [{ version: 2, created_at: 'yesterday' }, /ISO/],
  ])('refuses %o', (header, problem) => {
    expect(keyBundleHeaderProblem(header, now)).toMatch(problem);
  });
  it('accepts a past time and one within a day of clock skew', () => {
    expect(keyBundleHeaderProblem({ version: 1, created_at: bundle.created_at }, now)).toBeUndefined();
    expect(
      keyBundleHeaderProblem({ version: 2, created_at: '2026-06-01T23:00:00.000Z' }, now),
    ).toBeUndefined();
  });
});

const GOLDEN_SHA256 = '15fcce846c2b48b10c52da968697c79f667a4d816c412284d45f75b0cf81fa78';
