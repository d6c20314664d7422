import { describe, expect, it } from 'vitest';
import { CryptoError, decodePayload, encodePayload, paddedLength, padme, utf8 } from '../../src/crypto';

describe('payload', () => {
  it('round-trips text', () => {
    expect(decodePayload(encodePayload({ type: 'text', text: 'hi 👋' }))).toEqual({
      type: 'text',
      text: 'hi 👋',
    });
  });

  it('pads every short message to the same 256 bytes, longer ones by Padmé', () => {
    expect(encodePayload({ type: 'text', text: 'a' })).toHaveLength(256);
    expect(encodePayload({ type: 'text', text: 'a'.repeat(200) })).toHaveLength(256);
    expect(padme(1000)).toBe(1024);
    expect(padme(1025)).toBe(1088);
    for (let n = 1; n < 5000; n++) {
      const p = paddedLength(n);
      expect(p).toBeGreaterThanOrEqual(n + 4);
      expect(p).toBeLessThanOrEqual(Math.max(256, Math.ceil((n + 4) * 1.125)));
    }
  });

  it('decodes a type from a newer client as unsupported instead of failing', () => {
    const json = utf8(JSON.stringify({ type: 'reaction', emoji: '👍' }));
    const plain = new Uint8Array(256);
    new DataView(plain.buffer).setUint32(0, json.length);
    plain.set(json, 4);
    expect(decodePayload(plain)).toEqual({ type: 'unsupported', original_type: 'reaction' });
  });

  it('rejects non-zero padding, bad lengths and malformed known types', () => {
    const good = encodePayload({ type: 'text', text: 'hi' });
    const dirty = good.slice();
    dirty[255] = 1;
    expect(() => decodePayload(dirty)).toThrow(CryptoError);
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(0, 10_000);
    expect(() => decodePayload(lying)).toThrow(CryptoError);
    const json = utf8(JSON.stringify({ type: 'text', text: 42 }));
    const bad = new Uint8Array(256);
    new DataView(bad.buffer).setUint32(0, json.length);
    bad.set(json, 4);
    expect(() => decodePayload(bad)).toThrow(/invalid text payload/);
  });

  it('refuses to send an empty or oversized text', () => {
    expect(() => encodePayload({ type: 'text', text: '' })).toThrow();
    expect(() => encodePayload({ type: 'text', text: 'x'.repeat(8_193) })).toThrow();
    // The worst case still fits the message service's 64 KiB blob limit once sealed.
    expect(encodePayload({ type: 'text', text: '\u0001'.repeat(8_192) }).length + 3_000).toBeLessThan(65_536);
  });
});

describe('canonical padding', () => {
  it('accepts only the length Padmé gives for the content, at every size', () => {
    for (const n of [1, 100, 252, 253, 1000, 5000]) {
      const good = encodePayload({ type: 'text', text: 'x'.repeat(n) });
      expect(decodePayload(good)).toEqual({ type: 'text', text: 'x'.repeat(n) });
      const longer = new Uint8Array(good.length + 1);
      longer.set(good);
      expect(() => decodePayload(longer)).toThrow(/canonical padding/);
      expect(() => decodePayload(good.slice(0, -1))).toThrow(CryptoError);
    }
  });
});
