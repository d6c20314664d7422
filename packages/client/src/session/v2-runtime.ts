/**
 * The session's E2E v2 side for the signed-in device: opens and starts the V2Engine after sign-in
 * (registering or re-binding this device, filling its KeyPackage pool, restoring history from the
 * archive on the first start), and stops it on sign-out. A failure there never breaks v1
 * messaging: it is kept as `status()` = unavailable with its reason, and every path falls back to
 * v1. Every event the engine reads (live, pull) goes through `ingest`, which keeps decrypted
 * messages in the local history (session/v2-history.ts) — the only place they can be read again.
 */
import type { LockboxApi } from '../api/client';
import { call } from '../api/errors';
import type { Identity, Payload, RandomSource } from '../crypto';
import { fromBase64, toBase64 } from '../crypto/bytes';
import type { KeyValueStore } from '../store/types';
import type { ReceivedMessage } from '../v2/conversation-group';
import { V2Engine, type V2Event } from '../v2/engine';
import { POOL_TARGET } from '../v2/key-package-pool';
import { trpcTransport } from '../v2/trpc-transport';
import { archiveKeyFromVault } from './archive-key';
import type { ContactKeys } from './contact-keys';
import type { Me } from './messages';
import type { Profile } from './profile';
import { type HistoryRecord, historyRecordOf, localHistoryKey, V2History } from './v2-history';

export type V2Status = { state: 'ready' | 'unavailable'; reason?: string };

export interface V2RuntimeOptions {
  api: LockboxApi;
  profile: Profile;
  keys: ContactKeys;
  store: KeyValueStore;
  random: RandomSource;
  protocol: 'v1' | 'v2';
  deviceName: string;
}

/** A new device uploads a few KeyPackages first and tops up to the target later (see PoolSize.first). */
const SESSION_POOL = { first: 5, low: 3, target: POOL_TARGET };
/** How often (at most) a send first makes the group match both device lists (new or revoked devices). */
const SYNC_EVERY_MS = 30_000;

interface Running {
  me: string;
  engine: V2Engine;
  history: V2History;
  /** Pinned account identity keys the engine resolves synchronously (own + contacts loaded so far). */
  pins: Map<string, Uint8Array>;
  /** Conversation id → the other user, learned from stream items and sends. */
  peers: Map<string, string>;
  lastSync: Map<string, number>;
  contactPinsLoaded: boolean;
}

export class V2Runtime {
  readonly #o: V2RuntimeOptions;
  #running: Running | undefined;
  #status: V2Status = { state: 'unavailable', reason: 'not signed in' };
  #starting: Promise<void> = Promise.resolve();
  /** Live listeners: messages a pull read first (a send's retry, a history page) reach them too. */
  readonly #listeners = new Set<(e: ReceivedMessage) => Promise<void>>();
  /** White-box tests set 0 so every send re-syncs the group's members. */
  syncEveryMs = SYNC_EVERY_MS;

  constructor(o: V2RuntimeOptions) {
    this.#o = o;
  }

  status(): V2Status {
    return { ...this.#status };
  }

  /** The running engine for `me` (after any start in progress), or undefined (v1 only). */
  async running(me?: string): Promise<Running | undefined> {
    await this.#starting;
    const r = this.#running;
    return r !== undefined && (me === undefined || r.me === me) ? r : undefined;
  }

  /** Opens and starts the engine for the signed-in account; never throws. */
  start(me: Me): Promise<void> {
    this.#starting = this.#starting.then(() => this.#start(me));
    return this.#starting;
  }

  /** Registers a live listener for messages read by a pull; returns the unsubscribe function. */
  listen(fn: (e: ReceivedMessage) => Promise<void>): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  stop(): void {
    this.#listeners.clear();
    this.#running = undefined;
    this.#status = { state: 'unavailable', reason: 'not signed in' };
  }

  async #start(me: Me): Promise<void> {
    this.#running = undefined;
    if (this.#o.protocol === 'v1') {
      this.#status = { state: 'unavailable', reason: "protocol 'v1' was asked for" };
      return;
    }
    try {
      const identity = me.identities[0] as Identity;
      const pins = new Map<string, Uint8Array>([[me.userId, identity.identityKey]]);
      const archiveKey = await archiveKeyFromVault(
        this.#o.api.trpc,
        this.#o.profile,
        me.userId,
        this.#o.random,
      );
      const engine = await V2Engine.open({
        store: this.#o.store,
        transport: trpcTransport(this.#o.api.trpc),
        userId: me.userId,
        accountSigningSeed: identity.secrets.signingSeed,
        accountKeyFor: (userId) => pins.get(userId),
        deviceName: this.#o.deviceName,
        // History on a new device is the default user story; setArchive(false) is the strict choice.
        ...(archiveKey ? { archiveKey, archiveDefault: true } : {}),
        pool: SESSION_POOL,
      });
      await engine.start();
      const history = new V2History(
        this.#o.store,
        me.userId,
        archiveKey ? localHistoryKey(archiveKey) : await this.#fallbackHistoryKey(me.userId),
      );
      const running: Running = {
        me: me.userId,
        engine,
        history,
        pins,
        peers: new Map(),
        lastSync: new Map(),
        contactPinsLoaded: false,
      };
      await this.#restoreOnce(running, archiveKey !== undefined);
      this.#running = running;
      this.#status = { state: 'ready' };
    } catch (err) {
      this.#status = { state: 'unavailable', reason: (err as Error)?.message ?? String(err) };
    }
  }

  /** Without an archive key (no vault), the local history is sealed under a random key this device keeps. */
  async #fallbackHistoryKey(me: string): Promise<Uint8Array> {
    const name = `mls.hist-key.${me}`;
    return this.#o.store.withLock(name, async () => {
      const kept = await this.#o.store.get(name);
      if (kept !== undefined) return fromBase64(kept, 32);
      const fresh = this.#o.random(32);
      await this.#o.store.set(name, toBase64(fresh));
      return fresh;
    });
  }

  /** A device's first start reads the account's archive into its local history (once). */
  async #restoreOnce(r: Running, hasArchiveKey: boolean): Promise<void> {
    const marker = `mls.hist-restored.${r.me}.${r.engine.deviceId}`;
    if ((await this.#o.store.get(marker)) !== undefined) return;
    if (hasArchiveKey && (await r.engine.devices())?.archive) {
      const { records } = await r.engine.readArchive();
      await r.history.add(records);
    }
    await this.#o.store.set(marker, new Date().toISOString());
  }

  /** Makes sure the engine can resolve this user's pinned account key (pinning it on first use). */
  async loadPin(r: Running, userId: string): Promise<void> {
    if (r.pins.has(userId)) return;
    const bundle = await this.#o.keys.current(userId);
    r.pins.set(userId, bundle.identityKey);
  }

  /**
   * Sends over v2 when the engine says so; `waiting` pulls the stream once (the Welcome may be
   * there) and retries. undefined: send a v1 envelope instead.
   */
  async send(
    peerId: string,
    payload: Payload,
  ): Promise<
    | { message_id: string; conversation_id: string; seq: number; cursor: string; created_at: string }
    | undefined
  > {
    const r = await this.running();
    if (r === undefined) return undefined;
    await this.loadPin(r, peerId);
    const last = r.lastSync.get(peerId);
    if (last === undefined || Date.now() - last >= this.syncEveryMs) {
      await r.engine.syncMembers(peerId);
      r.lastSync.set(peerId, Date.now());
    }
    let outcome = await r.engine.send(peerId, payload);
    if (outcome.version === 'waiting') {
      await this.pull(r);
      outcome = await r.engine.send(peerId, payload);
    }
    if (outcome.version !== 'v2') return undefined;
    r.peers.set(outcome.conversationId, peerId);
    await r.history.add([
      {
        conversation_id: outcome.conversationId,
        message_id: outcome.messageId,
        seq: outcome.seq,
        sender_id: r.me,
        sent_at: outcome.sentAt,
        payload: payload as HistoryRecord['payload'],
        sender_device_id: r.engine.deviceId,
      },
    ]);
    return {
      message_id: outcome.messageId,
      conversation_id: outcome.conversationId,
      seq: outcome.seq,
      cursor: outcome.cursor,
      created_at: outcome.sentAt,
    };
  }

  /** Reads this device's stream to the end through the engine (history is kept by `ingest`). */
  async pull(r: Running): Promise<V2Event[]> {
    if (!r.contactPinsLoaded) {
      for (const id of await this.contactIds()) await this.loadPin(r, id).catch(() => undefined);
      r.contactPinsLoaded = true;
    }
    const events = await this.ingest(r, await r.engine.pull());
    // The engine reads each item once: a message pulled here never comes back on the live path.
    for (const e of events)
      if (e.kind === 'message' && e.payload.type !== 'unsupported')
        for (const fn of this.#listeners) await fn(e).catch(() => undefined);
    return events;
  }

  /** One stream item through the engine; the sender's pin is loaded first so its device can be checked. */
  async onItem(r: Running, item: { sender_id: string; recipient_id: string }): Promise<V2Event[]> {
    const other = item.sender_id === r.me ? item.recipient_id : item.sender_id;
    r.peers.set((item as { conversation_id?: string }).conversation_id ?? '', other);
    await this.loadPin(r, other).catch(() => undefined);
    return this.ingest(r, await r.engine.onItem(item));
  }

  /** Every contact's user id (all pages). */
  async contactIds(): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await call(() =>
        this.#o.api.trpc.contacts.list.query({ limit: 50, ...(after !== undefined ? { after } : {}) }),
      );
      ids.push(...page.map((c) => c.id));
      if (page.length < 50) return ids;
      after = page[page.length - 1]?.id;
    }
  }

  async ingest(r: Running, events: V2Event[]): Promise<V2Event[]> {
    const records: HistoryRecord[] = [];
    for (const e of events)
      if (e.kind === 'message' && e.payload.type !== 'unsupported') records.push(historyRecordOf(e));
    await r.history.add(records);
    return events;
  }
}

export type { Running as V2Running };
