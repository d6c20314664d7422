/**
 * What this device decrypted or sent over E2E v2, kept locally: MLS deletes a message's keys once
 * it is read (forward secrecy), so the plaintext can be read only once per device and history has
 * to be remembered here. Records are grouped per conversation in chunks of CHUNK seqs, so a
 * message costs one read and one write of a bounded chunk, and a page reads only its chunks.
 *   mls.hist.<me>.<conversation id>.<seq / CHUNK>  →  nonce (24) ‖ XChaCha20-Poly1305(JSON array)
 * Each chunk is sealed (AAD: label, user, chunk name) under a key derived with HKDF-SHA256 from the
 * account's archive key, so no message text lies on disk in the clear: in a browser the store wraps
 * `mls.*` again with its non-extractable key; on Node the files are 0600 like the identity seeds, and
 * the archive key is only in the vault and in memory.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { fromBase64, toBase64 } from '../crypto/bytes';
import { ZPayload } from '../crypto/payload';
import type { KeyValueStore } from '../store/types';
import { type ArchiveRecord, archiveRecordOf } from '../v2/archive';
import type { ReceivedMessage } from '../v2/conversation-group';

const CHUNK = 100;

export interface HistoryRecord extends ArchiveRecord {
  /** Which of the sender's devices sent it (absent for records restored from the archive). */
  sender_device_id?: string;
}

/** The local record of a message this device read or sent: the archive's, plus the sending device. */
export const historyRecordOf = (e: ReceivedMessage): HistoryRecord => ({
  ...archiveRecordOf(e),
  sender_device_id: e.senderDeviceId,
});

const ZRecord = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  seq: z.number().int().min(1),
  sender_id: z.string(),
  sent_at: z.string(),
  payload: ZPayload,
  sender_device_id: z.string().optional(),
});
const ZChunk = z.array(ZRecord);

const SAFE = /^[a-z0-9_-]{1,40}$/;
const KEY_LABEL = 'lockbox/local-history/v1';
const NONCE = 24;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The local history's sealing key: HKDF-SHA256 of the archive key, bound to this purpose. */
export const localHistoryKey = (archiveKey: Uint8Array): Uint8Array =>
  hkdf(sha256, archiveKey, undefined, utf8(KEY_LABEL), 32);

export class V2History {
  readonly #store: KeyValueStore;
  readonly #me: string;
  readonly #key: Uint8Array;

  /** `sealingKey`: localHistoryKey(archive key), or 32 random bytes for an account without one. */
  constructor(store: KeyValueStore, me: string, sealingKey: Uint8Array) {
    if (sealingKey.length !== 32) throw new Error('the local history key is 32 bytes');
    this.#store = store;
    this.#me = me;
    this.#key = sealingKey;
  }

  #aad(name: string): Uint8Array {
    return utf8(`${KEY_LABEL}\u0000${this.#me}\u0000${name}`);
  }

  #seal(name: string, chunk: HistoryRecord[]): string {
    const nonce = randomBytes(NONCE);
    const sealed = xchacha20poly1305(this.#key, nonce, this.#aad(name)).encrypt(utf8(JSON.stringify(chunk)));
    const out = new Uint8Array(NONCE + sealed.length);
    out.set(nonce);
    out.set(sealed, NONCE);
    return toBase64(out);
  }

  /** A chunk that does not open (another key, tampered, an older plaintext format) counts as empty. */
  #open(name: string, raw: string): unknown {
    try {
      const bytes = fromBase64(raw);
      const plain = xchacha20poly1305(this.#key, bytes.subarray(0, NONCE), this.#aad(name)).decrypt(
        bytes.subarray(NONCE),
      );
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return undefined;
    }
  }

  #chunkName(conversationId: string, seq: number): string | undefined {
    if (!SAFE.test(conversationId)) return undefined;
    return `mls.hist.${this.#me}.${conversationId}.${Math.floor(seq / CHUNK)}`;
  }

  async #read(key: string): Promise<HistoryRecord[]> {
    const raw = await this.#store.get(key);
    if (raw === undefined) return [];
    const parsed = ZChunk.safeParse(this.#open(key, raw));
    return parsed.success ? (parsed.data as HistoryRecord[]) : [];
  }

  /** Adds records (a message id already kept is not overwritten: the first reading wins). */
  async add(records: readonly HistoryRecord[]): Promise<void> {
    const byKey = new Map<string, HistoryRecord[]>();
    for (const r of records) {
      const key = this.#chunkName(r.conversation_id, r.seq);
      if (key === undefined) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    if (byKey.size === 0) return;
    await this.#store.withLock(`mls.hist.${this.#me}`, async () => {
      for (const [key, added] of byKey) {
        const chunk = await this.#read(key);
        let changed = false;
        for (const r of added)
          if (!chunk.some((c) => c.message_id === r.message_id)) {
            chunk.push(r);
            changed = true;
          }
        if (!changed) continue;
        chunk.sort((a, b) => a.seq - b.seq);
        await this.#store.set(key, this.#seal(key, chunk));
      }
    });
  }

  /** The records of these stream items that this device read, sent or restored from the archive, by message id. */
  async lookup(
    items: readonly { id: string; conversation_id: string; seq: number }[],
  ): Promise<Map<string, HistoryRecord>> {
    const chunks = new Map<string, HistoryRecord[]>();
    const out = new Map<string, HistoryRecord>();
    for (const item of items) {
      const key = this.#chunkName(item.conversation_id, item.seq);
      if (key === undefined) continue;
      let chunk = chunks.get(key);
      if (chunk === undefined) {
        chunk = await this.#read(key);
        chunks.set(key, chunk);
      }
      const r = chunk.find((c) => c.message_id === item.id && c.seq === item.seq);
      if (r !== undefined && r.conversation_id === item.conversation_id) out.set(item.id, r);
    }
    return out;
  }
}
