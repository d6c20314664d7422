/**
 * Replay detection that outlives one call: which (sender, client_msg_id) this
 * device has accepted, and under which server id, time and seq. A sender's
 * client_msg_id is signed into the envelope and unique per sender, so the same
 * pair served again under another id, `created_at` or seq is the server
 * replaying an envelope: it is refused as `replayed`. The same message served
 * again unchanged (a page fetched twice, the live copy of a listed message) is
 * fine.
 *
 * Kept in the profile store, one key per (me, sender) — `seen.<me>.<sender>` —
 * because FileStore writes a whole file per key: one key per message would be
 * a file per message, one key for everything would rewrite every entry on
 * every message. A batch (a page) costs one read and one write per sender,
 * under the store's lock so two processes on one LOCKBOX_HOME do not lose each
 * other's entries. Only messages that verified are recorded: the pair is
 * taken from the signed envelope, so the server cannot fill the set with pairs
 * of its own choosing to suppress a genuine message later.
 *
 * The keys are not removed at sign-out (like pins): what the device has seen
 * stays true. Each sender's set keeps its newest SEEN_PER_SENDER_MAX entries.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { utf8 } from '../crypto';
import { type KeyValueStore, STORE_KEY_PATTERN } from '../store/types';
import type { DecryptedMessage } from './messages';

export const SEEN_PER_SENDER_MAX = 20_000;

/** [client_msg_id, message id, created_at in ms, seq], oldest first. */
const ZSeenBucket = z.object({
  v: z.literal(1),
  entries: z.array(z.tuple([z.string(), z.string(), z.number(), z.number()])),
});
type SeenEntry = { id: string; at: number; seq: number };

/** A user id as a store-key segment: itself when it is a plain id, else a hash of it. */
const keySegment = (id: string): string =>
  /^[a-z0-9_-]{1,40}$/.test(id) ? id : `h${bytesToHex(sha256(utf8(id))).slice(0, 32)}`;

export const seenKey = (me: string, sender: string) => `seen.${keySegment(me)}.${keySegment(sender)}`;

const serverTime = (createdAt: string): number => {
  const ms = Date.parse(createdAt);
  return Number.isFinite(ms) ? ms : -1;
};

const replayed = (m: DecryptedMessage): DecryptedMessage => {
  const { payload: _payload, ...rest } = m;
  return {
    ...rest,
    error: {
      code: 'replayed',
      message: 'the server delivered this message before under another id, time or position (a replay)',
    },
  };
};

export class SeenMessages {
  readonly #store: KeyValueStore;
  readonly #me: string;

  constructor(store: KeyValueStore, me: string) {
    this.#store = store;
    this.#me = me;
  }

  async #load(key: string): Promise<Map<string, SeenEntry>> {
    const raw = await this.#store.get(key);
    const map = new Map<string, SeenEntry>();
    if (raw === undefined) return map;
    let parsed: z.infer<typeof ZSeenBucket> | undefined;
    try {
      parsed = ZSeenBucket.parse(JSON.parse(raw));
    } catch {
      // A damaged bucket is started again: refusing every message from this sender would be worse.
      return map;
    }
    for (const [cmid, id, at, seq] of parsed.entries) map.set(cmid, { id, at, seq });
    return map;
  }

  async #save(key: string, map: Map<string, SeenEntry>): Promise<void> {
    const entries = [...map].slice(-SEEN_PER_SENDER_MAX).map(([cmid, e]) => [cmid, e.id, e.at, e.seq]);
    await this.#store.set(key, JSON.stringify({ v: 1, entries }));
  }

  /**
   * Checks a batch in order and records what is new; returns the batch with
   * replays refused (`error.code === 'replayed'`, no payload).
   */
  async check(messages: DecryptedMessage[]): Promise<DecryptedMessage[]> {
    const verified = messages.filter((m) => !m.error);
    if (verified.length === 0) return messages;
    const lockName = `seen.${keySegment(this.#me)}`;
    if (!STORE_KEY_PATTERN.test(lockName)) throw new Error('invalid seen-set lock name');
    return this.#store.withLock(lockName, async () => {
      const buckets = new Map<string, { map: Map<string, SeenEntry>; changed: boolean }>();
      const out: DecryptedMessage[] = [];
      for (const m of messages) {
        if (m.error) {
          out.push(m);
          continue;
        }
        const key = seenKey(this.#me, m.sender_id);
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = { map: await this.#load(key), changed: false };
          buckets.set(key, bucket);
        }
        const entry: SeenEntry = { id: m.id, at: serverTime(m.created_at), seq: m.seq };
        const before = bucket.map.get(m.client_msg_id);
        if (!before) {
          bucket.map.set(m.client_msg_id, entry);
          bucket.changed = true;
          out.push(m);
        } else if (before.id === entry.id && before.at === entry.at && before.seq === entry.seq) {
          out.push(m);
        } else {
          out.push(replayed(m));
        }
      }
      for (const [key, bucket] of buckets) if (bucket.changed) await this.#save(key, bucket.map);
      return out;
    });
  }
}
