/** Field rules: usernames, passwords, base64 of exact length, page sizes. */
import { describe, expect, it } from 'vitest';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  ZPassword,
  ZUsername,
  zBase64,
  zBase64Bytes,
  zLimit,
} from '../src/fields';

describe('ZUsername', () => {
  it.each(['abc', 'Alice', 'a_b', 'a.b', 'a-b', '123', 'x'.repeat(32)])('accepts %s', (name) => {
    expect(ZUsername.safeParse(name).success).toBe(true);
  });
  it.each(['ab', 'x'.repeat(33), 'a b', 'a/b', 'ünï', 'a\u0000b', 'a@b', '', 'x'.repeat(10_000), 'a\nb'])(
    'refuses %j',
    (name) => {
      expect(ZUsername.safeParse(name).success).toBe(false);
    },
  );
  it('explains the rule', () => {
    const r = ZUsername.safeParse('ab');
    expect(r.error?.issues[0]?.message).toMatch(/3–32/);
  });
});

describe('ZPassword', () => {
  it('is 8 to 1024 characters, with a message that says so', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(1024);
    expect(ZPassword.safeParse('x'.repeat(8)).success).toBe(true);
    expect(ZPassword.safeParse('x'.repeat(1024)).success).toBe(true);
    expect(ZPassword.safeParse('x'.repeat(1025)).success).toBe(false);
    const short = ZPassword.safeParse('test123');
    expect(short.error?.issues[0]?.message).toBe('password must be at least 8 characters');
  });
});

describe('zBase64Bytes', () => {
  const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');

  it.each([16, 32, 64, 1184])('accepts exactly %i bytes', (n) => {
    expect(zBase64Bytes(n).safeParse(b64(n)).success).toBe(true);
  });

  it.each([
    [32, 31],
    [32, 33],
    [16, 15],
    [16, 17],
    [16, 18],
    [64, 63],
    [64, 65],
    [1184, 1183],
    [1184, 1185],
  ])('refuses %i-byte field holding %i bytes', (want, got) => {
    expect(zBase64Bytes(want).safeParse(b64(got)).success).toBe(false);
  });

  it('refuses the right length with the wrong padding', () => {
    const s = b64(32); // 43 chars + '='
    expect(s.endsWith('=') && !s.endsWith('==')).toBe(true);
    expect(zBase64Bytes(32).safeParse(`${s.slice(0, 43)}A`).success).toBe(false); // 33 bytes, no padding
    expect(zBase64Bytes(32).safeParse(`${s.slice(0, 42)}==`).success).toBe(false); // 31 bytes
  });

  it('refuses non-base64 characters', () => {
    expect(zBase64Bytes(32).safeParse(`${'-'.repeat(43)}=`).success).toBe(false);
    expect(zBase64Bytes(32).safeParse(`${'A'.repeat(42)}\n=`).success).toBe(false);
  });
});

describe('zBase64', () => {
  it('bounds the length and the alphabet', () => {
    expect(zBase64(8).safeParse('AAAA').success).toBe(true);
    expect(zBase64(8).safeParse('AAAAAAAAAAAA').success).toBe(false);
    expect(zBase64(8).safeParse('AAA').success).toBe(false);
    expect(zBase64(8).safeParse('AA$A').success).toBe(false);
  });
});

describe('zLimit', () => {
  const limit = zLimit(20, 50);
  it('defaults, coerces query strings and stays within bounds', () => {
    expect(limit.parse(undefined)).toBe(20);
    expect(limit.parse('7')).toBe(7);
    for (const bad of ['0', '51', '-1', '2.5', 'abc', 'NaN', '1e9', 'Infinity'])
      expect(limit.safeParse(bad).success).toBe(false);
  });
});
