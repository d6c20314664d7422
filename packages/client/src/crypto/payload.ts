/**
 * What a message carries once decrypted: a small JSON document with a `type`.
 * v1 sends `text`; receipts, edits and attachments are future types. A payload
 * type this SDK does not know decodes to `unsupported` rather than failing, so
 * old clients still show that *something* arrived from a newer one.
 *
 * Before encryption the JSON is padded (Padmé, from the PURBs paper: at most
 * ~12% overhead, leaks O(log log n) bits of length) with a 256-byte floor, so
 * every short chat line has the same ciphertext size. A receiver accepts only
 * that exact length (canonical padding) and only zero bytes in it.
 */
import { z } from 'zod';
import { ByteReader, ByteWriter, fromUtf8, utf8 } from './bytes';
import { CryptoError } from './errors';

/** Keeps the worst case (every character JSON-escaped to 6 bytes, then padded) under the 64 KiB blob limit. */
export const TEXT_MAX_CHARS = 8_192;
export const PADDED_MIN_BYTES = 256;
export const PAYLOAD_MAX_BYTES = 256 * 1024;

export const ZTextPayload = z.object({
  type: z.literal('text'),
  text: z.string().min(1).max(TEXT_MAX_CHARS),
});
export type TextPayload = z.infer<typeof ZTextPayload>;

/**
 * The note of a chat request (issue 11): sealed in the same envelope as a
 * message, but its own payload type, so a note is never shown as a message
 * and a message is never shown as a note (domain separation; see
 * session/request-notes.ts). 280 characters, as the contract's note.
 */
export const REQUEST_NOTE_MAX_CHARS = 280;
export const ZRequestNotePayload = z.object({
  type: z.literal('request_note'),
  text: z.string().min(1).max(REQUEST_NOTE_MAX_CHARS),
});
export type RequestNotePayload = z.infer<typeof ZRequestNotePayload>;

/** Every payload type this SDK can send. */
export const ZPayload = z.discriminatedUnion('type', [ZTextPayload, ZRequestNotePayload]);
export type Payload = z.infer<typeof ZPayload>;

/** What a receiver sees: a known payload, or a type from a newer client it cannot render. */
export type ReceivedPayload = Payload | { type: 'unsupported'; original_type: string };

/** Padmé: round L up so only the top ⌊log2 log2 L⌋+1 bits of the length remain significant. */
export const padme = (length: number): number => {
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const mask = 2 ** (e - s) - 1;
  return Math.ceil(length / (mask + 1)) * (mask + 1);
};

export const paddedLength = (contentLength: number): number =>
  Math.max(PADDED_MIN_BYTES, padme(4 + contentLength));

/** u32 length ‖ JSON ‖ zero bytes up to the padded length. */
export const encodePayload = (payload: Payload): Uint8Array => {
  const json = utf8(JSON.stringify(ZPayload.parse(payload)));
  if (json.length > PAYLOAD_MAX_BYTES) throw new RangeError('payload too large');
  const head = new ByteWriter().longBytes(json).finish();
  const out = new Uint8Array(paddedLength(json.length));
  out.set(head);
  return out;
};

export const decodePayload = (plaintext: Uint8Array): ReceivedPayload => {
  let json: unknown;
  try {
    const reader = new ByteReader(plaintext);
    const body = reader.longBytes(PAYLOAD_MAX_BYTES);
    // Only the length Padmé gives for this content is accepted: any other is a
    // second encoding of the same message (and a side channel for the sender).
    if (plaintext.length !== paddedLength(body.length)) throw new Error('non-canonical padding length');
    const padding = plaintext.subarray(reader.position);
    if (padding.some((b) => b !== 0)) throw new Error('non-zero padding');
    json = JSON.parse(fromUtf8(body));
  } catch (err) {
    throw new CryptoError('malformed', `payload does not decode: ${(err as Error).message}`);
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') throw new CryptoError('malformed', 'payload has no type');
  const known = ZPayload.safeParse(json);
  if (known.success) return known.data;
  if (ZPayload.options.some((o) => o.shape.type.value === type))
    throw new CryptoError('malformed', `invalid ${type} payload`);
  return { type: 'unsupported', original_type: type.slice(0, 64) };
};
