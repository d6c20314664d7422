/**
 * The history archive (v2 wire design §3): one sealed segment per message, so a new device can
 * read what was said before it existed, with every other device offline. The archive key (32
 * random bytes) lives in the vault contents, so only the account's password opens it and a
 * password change keeps it. The server sees a random-looking tag (dedupe) and ciphertext.
 *   blob = nonce (24) || XChaCha20-Poly1305(archive key, nonce, aad).encrypt(JSON record)
 *   aad  = "lockbox/archive/v1" || 0x00 || user id
 *   tag  = HMAC-SHA256(archive key, "lockbox/archive-tag/v1" || conversation_id || 0x00 || message_id)
 * On read, the tag must also match the record inside: a server cannot move a sealed record under
 * another tag. A segment that fails any check is refused and counted, never shown.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { bytesEqual, concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/bytes';
import { type ReceivedPayload, ZPayload } from '../crypto/payload';
import { systemRandom } from '../crypto/random';
import type { ReceivedMessage } from './conversation-group';
import { parseAnswer, type V2Transport, ZArchiveAppendAnswer, ZArchivePage } from './transport';

export const ARCHIVE_KEY_BYTES = 32;
const NONCE = 24;
const AAD_LABEL = 'lockbox/archive/v1';
const TAG_LABEL = 'lockbox/archive-tag/v1';
const PAGE = 200;

const ZArchiveRecord = z.strictObject({
  conversation_id: z.string().min(1).max(64),
  message_id: z.string().min(1).max(64),
  seq: z.number().int().min(1),
  sender_id: z.string().min(1).max(64),
  sent_at: z.string().max(64),
  payload: ZPayload,
});
export type ArchiveRecord = Omit<z.infer<typeof ZArchiveRecord>, 'payload'> & { payload: ReceivedPayload };

/** The archive record of a message this device read or sent (what every device of the account keeps). */
export const archiveRecordOf = (e: ReceivedMessage): ArchiveRecord => ({
  conversation_id: e.conversationId,
  message_id: e.messageId,
  seq: e.seq,
  sender_id: e.senderUserId,
  sent_at: e.sentAt,
  payload: e.payload,
});

export const generateArchiveKey = (): Uint8Array => systemRandom(ARCHIVE_KEY_BYTES);

const aad = (userId: string) => concatBytes(utf8(AAD_LABEL), Uint8Array.of(0), utf8(userId));

export const archiveTag = (key: Uint8Array, conversationId: string, messageId: string): Uint8Array =>
  hmac(sha256, key, concatBytes(utf8(TAG_LABEL), utf8(conversationId), Uint8Array.of(0), utf8(messageId)));

export const sealArchiveRecord = (
  key: Uint8Array,
  userId: string,
  record: ArchiveRecord,
): { tag: string; blob: string } => {
  const nonce = systemRandom(NONCE);
  const sealed = xchacha20poly1305(key, nonce, aad(userId)).encrypt(utf8(JSON.stringify(record)));
  return {
    tag: toBase64(archiveTag(key, record.conversation_id, record.message_id)),
    blob: toBase64(concatBytes(nonce, sealed)),
  };
};

/** The record, or undefined when the segment is not one this account sealed for that tag. */
export const openArchiveSegment = (
  key: Uint8Array,
  userId: string,
  segment: { tag: string; blob: string },
): ArchiveRecord | undefined => {
  try {
    const bytes = fromBase64(segment.blob);
    const plain = xchacha20poly1305(key, bytes.subarray(0, NONCE), aad(userId)).decrypt(
      bytes.subarray(NONCE),
    );
    const record = ZArchiveRecord.parse(JSON.parse(fromUtf8(plain)));
    if (!bytesEqual(fromBase64(segment.tag), archiveTag(key, record.conversation_id, record.message_id)))
      return undefined;
    return record;
  } catch {
    return undefined;
  }
};

export interface ArchiveReadout {
  /** Deduplicated by message id, ordered by conversation then seq. */
  records: ArchiveRecord[];
  /** Segments that did not open or verify: never shown. */
  refused: number;
}

export class HistoryArchive {
  readonly #transport: V2Transport;
  readonly #key: Uint8Array;
  readonly #userId: string;

  constructor(transport: V2Transport, key: Uint8Array, userId: string) {
    if (key.length !== ARCHIVE_KEY_BYTES) throw new RangeError('an archive key is 32 bytes');
    this.#transport = transport;
    this.#key = key;
    this.#userId = userId;
  }

  async append(records: readonly ArchiveRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 100) {
      const segments = records.slice(i, i + 100).map((r) => sealArchiveRecord(this.#key, this.#userId, r));
      parseAnswer(ZArchiveAppendAnswer, await this.#transport.archiveAppend(segments), 'archive.append');
    }
  }

  async readAll(): Promise<ArchiveReadout> {
    const byId = new Map<string, ArchiveRecord>();
    let refused = 0;
    let after: string | undefined;
    for (;;) {
      const page = parseAnswer(ZArchivePage, await this.#transport.archiveList(after, PAGE), 'archive.list');
      for (const s of page.segments) {
        const record = openArchiveSegment(this.#key, this.#userId, s);
        if (record === undefined) refused++;
        else if (!byId.has(record.message_id)) byId.set(record.message_id, record);
      }
      if (page.next_cursor === null || page.segments.length === 0) break;
      // A server that answers with the same cursor again would loop us forever.
      if (page.next_cursor === after) break;
      after = page.next_cursor;
    }
    const records = [...byId.values()].sort((a, b) =>
      a.conversation_id === b.conversation_id
        ? a.seq - b.seq
        : a.conversation_id < b.conversation_id
          ? -1
          : 1,
    );
    return { records, refused };
  }
}
