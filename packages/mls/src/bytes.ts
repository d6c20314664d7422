/** Length-prefixed byte fields for LockBox's own small encodings (credential identity, certificate, device export). */
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export const encodeUtf8 = (s: string): Uint8Array => utf8.encode(s);

export const concatBytes = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A field as u16 big-endian length + bytes: every field is bounded, so no length can run past 64 KiB. */
export const field = (bytes: Uint8Array): Uint8Array => {
  if (bytes.length > 0xffff) throw new RangeError('field longer than 65535 bytes');
  return concatBytes(Uint8Array.of(bytes.length >> 8, bytes.length & 0xff), bytes);
};

export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
};

/** Reads `field`s back; any truncation or trailing byte is an error (the input may be hostile). */
export class FieldReader {
  #bytes: Uint8Array;
  #at = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  bytes(): Uint8Array {
    if (this.#at + 2 > this.#bytes.length) throw new RangeError('truncated length');
    const n = (this.#bytes[this.#at]! << 8) | this.#bytes[this.#at + 1]!;
    const start = this.#at + 2;
    if (start + n > this.#bytes.length) throw new RangeError('truncated field');
    this.#at = start + n;
    return this.#bytes.slice(start, start + n);
  }
  text(): string {
    return utf8Strict.decode(this.bytes());
  }
  end(): void {
    if (this.#at !== this.#bytes.length) throw new RangeError('trailing bytes');
  }
}
