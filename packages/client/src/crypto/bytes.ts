/**
 * Byte helpers shared by every construction: strict base64, UTF-8, and a tiny
 * length-prefixed reader/writer for the binary envelope and vault formats.
 * Browser-safe (no Buffer): the same code runs in Node 20 and Chromium.
 */
import { concatBytes } from '@noble/hashes/utils.js';

export { concatBytes };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (text: string): Uint8Array => encoder.encode(text);
/** Throws on invalid UTF-8 instead of inserting U+FFFD: a tampered byte must never decode "fine". */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The bits after the last whole byte (4 with "==", 2 with "=") must be zero. */
const hasZeroTrailingBits = (text: string): boolean => {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding === 0) return true;
  const last = BASE64_ALPHABET.indexOf(text.charAt(text.length - padding - 1));
  const unusedBits = padding === 2 ? 0b1111 : 0b11;
  return (last & unusedBits) === 0;
};

export const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

/**
 * Canonical standard padded base64 only; anything else (whitespace, url-safe
 * alphabet, non-zero trailing bits) is an error. Without the last rule "QQ=="
 * and "QR==" both decode to "A": one value, many spellings, so a server could
 * vary the bytes it relays without changing what they mean.
 */
export const fromBase64 = (text: string, expectedLength?: number): Uint8Array => {
  if (!BASE64_PATTERN.test(text)) throw new Error('not base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  if (!hasZeroTrailingBits(text)) throw new Error('not canonical base64 (non-zero trailing bits)');
  if (expectedLength !== undefined && out.length !== expectedLength)
    throw new Error(`expected ${expectedLength} bytes, got ${out.length}`);
  return out;
};

/** Constant-time comparison (length is not secret). */
export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
};

export class ByteWriter {
  readonly #parts: Uint8Array[] = [];

  u8(value: number): this {
    this.#parts.push(Uint8Array.of(value & 0xff));
    return this;
  }

  u32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value);
    this.#parts.push(b);
    return this;
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error('u64 out of range');
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(value));
    this.#parts.push(b);
    return this;
  }

  /** Raw bytes of a length both sides know (keys, nonces). */
  fixed(bytes: Uint8Array, length: number): this {
    if (bytes.length !== length) throw new Error(`expected ${length} bytes, got ${bytes.length}`);
    this.#parts.push(bytes);
    return this;
  }

  /** A short string (ids): u8 length, then UTF-8. */
  shortString(text: string): this {
    const b = utf8(text);
    if (b.length === 0 || b.length > 255) throw new Error('short string must be 1–255 bytes');
    return this.u8(b.length).fixed(b, b.length);
  }

  /** u32 length, then the bytes. */
  longBytes(bytes: Uint8Array): this {
    return this.u32(bytes.length).fixed(bytes, bytes.length);
  }

  finish(): Uint8Array {
    return concatBytes(...this.#parts);
  }
}

/** Reads what ByteWriter wrote; every read is bounds-checked and `end()` rejects trailing bytes. */
export class ByteReader {
  #offset = 0;
  readonly #view: DataView;

  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.#offset;
  }

  #need(n: number): void {
    if (this.#offset + n > this.#bytes.length) throw new Error('truncated');
  }

  u8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#offset++);
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }

  u64(): number {
    this.#need(8);
    const v = this.#view.getBigUint64(this.#offset);
    this.#offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('u64 out of range');
    return Number(v);
  }

  fixed(length: number): Uint8Array {
    this.#need(length);
    const out = this.#bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  shortString(): string {
    const len = this.u8();
    if (len === 0) throw new Error('empty string');
    return fromUtf8(this.fixed(len));
  }

  longBytes(maxLength: number): Uint8Array {
    const len = this.u32();
    if (len > maxLength) throw new Error('field too long');
    return this.fixed(len);
  }

  end(): void {
    if (this.#offset !== this.#bytes.length) throw new Error('trailing bytes');
  }
}
