import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto';

describe('base64: one spelling per value', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
  });

  it('refuses non-zero trailing bits (the same bytes spelled another way)', () => {
    expect(fromBase64('QQ==')).toEqual(Uint8Array.of(0x41));
    expect(() => fromBase64('QR==')).toThrow(/canonical/);
    expect(() => fromBase64('QX==')).toThrow(/canonical/);
    expect(fromBase64('QUE=')).toEqual(Uint8Array.of(0x41, 0x41));
    expect(() => fromBase64('QUF=')).toThrow(/canonical/);
    expect(() => fromBase64('QUH=')).toThrow(/canonical/);
  });

  it('refuses whitespace, the url-safe alphabet and missing padding', () => {
    for (const bad of ['QQ', 'QQ= =', ' QQ==', 'a-b_', 'QQ==\n', 'Q==='])
      expect(() => fromBase64(bad)).toThrow();
  });

  it('checks an expected length', () => {
    expect(() => fromBase64(toBase64(new Uint8Array(31)), 32)).toThrow(/expected 32/);
  });
});
