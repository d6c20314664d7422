/**
 * What this device decrypted or sent over E2E v2, kept locally: MLS deletes a message's keys once
 * it is read (forward secrecy), so the plaintext can be read only once per device and history has
 * to be remembered here. Everything is under `mls.` (sealed like the identity seeds by
 * WrappedSecretsStore). Records are grouped per conversation in chunks of CHUNK seqs, so a
 * message costs one read and one write of a bounded chunk, and a page reads only its chunks.
 *   mls.hist.<me>.<conversation id>.<seq / CHUNK>  →  JSON array of records
 */
import { z } from 'zod';
import { ZPayload } from '../crypto/payload';
import type { KeyValueStore } from '../store/types';
import type { ArchiveRecord } from '../v2/archive';

const CHUNK = 100;

export interface HistoryRecord extends ArchiveRecord {
  /** Which of the sender's devices sent it (absent for records restored from the archive). */
  sender_device_id?: string;
}

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

export class V2History {
  readonly #store: KeyValueStore;
  readonly #me: string;

  constructor(store: KeyValueStore, me: string) {
    this.#store = store;
    this.#me = me;
  }

  #key(conversationId: string, seq: number): string | undefined {
    if (!SAFE.test(conversationId)) return undefined;
    return `mls.hist.${this.#me}.${conversationId}.${Math.floor(seq / CHUNK)}`;
  }

  async #read(key: string): Promise<HistoryRecord[]> {
    const raw = await this.#store.get(key);
    if (raw === undefined) return [];
    const parsed = ZChunk.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as HistoryRecord[]) : [];
  }

  /** Adds records (a message id already kept is not overwritten: the first reading wins). */
  async add(records: readonly HistoryRecord[]): Promise<void> {
    const byKey = new Map<string, HistoryRecord[]>();
    for (const r of records) {
      const key = this.#key(r.conversation_id, r.seq);
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
        await this.#store.set(key, JSON.stringify(chunk));
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
      const key = this.#key(item.conversation_id, item.seq);
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
