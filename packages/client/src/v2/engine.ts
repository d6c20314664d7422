/**
 * E2E v2 for one signed-in device: the entry point LockboxSession, the CLI and the web app wire to.
 * `open` loads or creates this device's MLS state; `start` puts the device on the account's signed
 * list and fills its KeyPackage pool; `send` encrypts a v1 payload into the conversation's group
 * (creating it when needed); `onItem` / `pull` read stream items strictly in order; `devices`,
 * `revoke`, `setArchive` manage the signed list; `readArchive` restores history on a new device.
 * Operations run one at a time, so a group state is never read by two of them at once.
 */
import type { AccountKeyResolver, GroupMember } from '@lockbox/mls';
import { toBase64 } from '../crypto/bytes';
import { encodePayload, type Payload } from '../crypto/payload';
import type { KeyValueStore } from '../store/types';
import { type ArchiveReadout, type ArchiveRecord, HistoryArchive } from './archive';
import { ConversationGroup, type ConversationStatus, type GroupEvent } from './conversation-group';
import { type DeviceList, DeviceListPins } from './device-list';
import { DeviceState } from './device-state';
import { refuseV2, V2RefusedError } from './errors';
import { clientMsgId, GroupCommits } from './group-commits';
import { KeyPackagePool, type PoolSize } from './key-package-pool';
import { ListedMembers } from './listed-members';
import { Membership, type RefusedKeyPackage } from './membership';
import { OwnDeviceList } from './own-device-list';
import {
  isConflict,
  parseAnswer,
  type TStreamItem,
  type V2Transport,
  ZMlsEpochAnswer,
  ZSendMlsAnswer,
  ZStreamItem,
  ZStreamPage,
} from './transport';

export interface V2EngineOptions {
  store: KeyValueStore;
  transport: V2Transport;
  userId: string;
  /** The account identity signing seed (vault): certifies this device and signs the device list. */
  accountSigningSeed: Uint8Array;
  /** Pinned account identity keys (this account's own included); undefined refuses that user. */
  accountKeyFor: AccountKeyResolver;
  /** Shown on the device list (1..64 characters). */
  deviceName: string;
  /** The vault's archive key; without it nothing is archived and readArchive is unavailable. */
  archiveKey?: Uint8Array;
  /** Whether the account's first device list turns the archive on (the session's default: yes). */
  archiveDefault?: boolean;
  pool?: PoolSize;
}

export type V2Event =
  | GroupEvent
  | { kind: 'v1'; item: unknown }
  | { kind: 'refused'; conversationId: string; messageId: string; reason: string };

export type SendOutcome =
  | { version: 'v2'; conversationId: string; messageId: string; seq: number; cursor: string; sentAt: string }
  /** The migration rule is not met (no peer device with a KeyPackage): send a v1 envelope. */
  | { version: 'v1' }
  /** Another device created the group first; its Welcome has not reached this device yet. */
  | { version: 'waiting' };

const MAX_SYNC_ATTEMPTS = 3;
/** How long a listed device that could not be added waits before the next send tries again. */
const ADD_RETRY_MS = 30_000;
const MAX_UNARCHIVED = 500;

export class V2Engine {
  readonly #o: V2EngineOptions;
  readonly #state: DeviceState;
  readonly #pool: KeyPackagePool;
  readonly #membership: Membership;
  readonly #own: OwnDeviceList;
  readonly #archive: HistoryArchive | undefined;
  readonly #groups = new Map<string, ConversationGroup>();
  readonly #conversationOf = new Map<string, string>();
  readonly #addTried = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #commits: GroupCommits;
  readonly #listed: ListedMembers;
  /** Records whose archive append failed, retried with the next ones. */
  #unarchived: ArchiveRecord[] = [];

  private constructor(o: V2EngineOptions, state: DeviceState) {
    this.#o = o;
    this.#state = state;
    this.#pool = new KeyPackagePool(state, o.transport, o.pool);
    const pins = new DeviceListPins(o.store, o.userId);
    this.#membership = new Membership(o.transport, pins, o.accountKeyFor);
    this.#own = new OwnDeviceList(o, pins, state);
    this.#archive = o.archiveKey && new HistoryArchive(o.transport, o.archiveKey, o.userId);
    this.#commits = new GroupCommits(o, state, this.#membership);
    this.#listed = new ListedMembers(this.#membership, o.userId);
  }

  /** KeyPackages refused while building or extending a group (server-injected devices, forged lists …). */
  get refusedKeyPackages(): readonly RefusedKeyPackage[] {
    return this.#commits.refused;
  }

  static async open(o: V2EngineOptions): Promise<V2Engine> {
    // The signed list's schema (1..64 characters): a longer name would make our own list unreadable.
    if (o.deviceName.length < 1 || o.deviceName.length > 64)
      throw new RangeError('a device name is 1 to 64 characters');
    const state =
      (await DeviceState.load(o.store, o.userId)) ??
      (await DeviceState.create(o.store, o.userId, o.deviceName, o.accountSigningSeed));
    return new V2Engine(o, state);
  }

  get deviceId(): string {
    return this.#state.deviceId;
  }
  get deviceName(): string {
    return this.#state.name;
  }

  /** Puts this device on the signed list (registering it) and tops up its KeyPackages. */
  start(): Promise<DeviceList> {
    return this.#exclusive(async () => {
      const list = await this.#own.ensureListed();
      await this.#pool.refill();
      return list;
    });
  }

  devices(): Promise<DeviceList | null> {
    return this.#exclusive(() => this.#own.current());
  }
  /**
   * Every device held the vault's account identity seed and archive key: revoking one does not lock
   * it out of signing device lists or reading the archive. Hence the flag: the user should change
   * the password and reset the identity (docs/SECURITY.md 10.17).
   */
  revoke(deviceIds: readonly string[]): Promise<DeviceList & { identity_reset_recommended: true }> {
    return this.#exclusive(async () => ({
      ...(await this.#own.revoke(deviceIds)),
      identity_reset_recommended: true as const,
    }));
  }
  setArchive(on: boolean): Promise<DeviceList> {
    return this.#exclusive(() => this.#own.setArchive(on));
  }
  refillKeyPackages(): Promise<number> {
    return this.#exclusive(() => this.#pool.refill());
  }

  status(conversationId: string): ConversationStatus {
    return this.#groups.get(conversationId)?.status ?? 'none';
  }

  send(peerId: string, payload: Payload): Promise<SendOutcome> {
    return this.#exclusive(async () => {
      const conversationId = await this.#conversation(peerId);
      const g = await this.#group(conversationId);
      if (g.member === undefined) {
        const created = await this.#commits.create(peerId, conversationId, g);
        if (created !== 'created') return { version: created };
      } else {
        this.#checkPeer(g.member, peerId);
        await this.#assertMembersListed(g, peerId);
      }
      const member = g.member as GroupMember;
      this.#checkPeer(member, peerId);
      const message = await member.encrypt(encodePayload(payload));
      await g.save();
      const answer = parseAnswer(
        ZSendMlsAnswer,
        await this.#o.transport.sendMls({
          recipient_id: peerId,
          client_msg_id: clientMsgId(),
          kind: 'application',
          epoch: g.epoch,
          message: toBase64(message),
        }),
        'messages.sendMls',
      );
      await g.sent(answer.message_id);
      await this.#archiveRecords([
        {
          conversation_id: conversationId,
          message_id: answer.message_id,
          seq: answer.seq,
          sender_id: this.#o.userId,
          sent_at: answer.created_at,
          payload,
        },
      ]);
      return {
        version: 'v2',
        conversationId,
        messageId: answer.message_id,
        seq: answer.seq,
        cursor: answer.cursor,
        sentAt: answer.created_at,
      };
    });
  }

  /** One stream item (realtime `message.new` or a page of messages.list), in stream order. */
  onItem(raw: unknown): Promise<V2Event[]> {
    return this.#exclusive(() => this.#onItem(raw));
  }

  /** Reads this device's stream from its own cursor to the end. */
  pull(): Promise<V2Event[]> {
    return this.#exclusive(() => this.#pull());
  }

  async #pull(): Promise<V2Event[]> {
    const key = `v2-cursor.${this.#o.userId}.${this.deviceId}`;
    const events: V2Event[] = [];
    let after = await this.#o.store.get(key);
    for (;;) {
      const page = parseAnswer(ZStreamPage, await this.#o.transport.messagesAfter(after), 'messages.list');
      for (const raw of page.messages) events.push(...(await this.#onItem(raw)));
      if (page.next_cursor !== after) await this.#o.store.set(key, page.next_cursor);
      if (!page.has_more || page.next_cursor === after) break;
      after = page.next_cursor;
    }
    return events;
  }

  /**
   * Makes the group match both signed lists: removes devices no longer listed (revocation), adds
   * newly listed ones. On a 409 (another commit won the epoch) it reads the stream and rebases.
   */
  syncMembers(peerId: string): Promise<'unchanged' | 'committed' | 'conflict' | 'no-group'> {
    return this.#exclusive(async () => {
      const g = await this.#group(await this.#conversation(peerId));
      if (g.member !== undefined) this.#checkPeer(g.member, peerId);
      for (let attempt = 1; ; attempt++) {
        const r = await this.#commits.sync(g, peerId);
        if (r !== 'conflict' || attempt >= MAX_SYNC_ATTEMPTS) return r;
        await this.#pull();
      }
    });
  }

  /** Post-compromise recovery: a commit with a fresh path; a thief's copy of the old state opens nothing after it. */
  selfUpdate(peerId: string): Promise<'committed' | 'conflict' | 'no-group'> {
    return this.#exclusive(async () => {
      const g = await this.#group(await this.#conversation(peerId));
      if (g.member === undefined) return 'no-group';
      this.#checkPeer(g.member, peerId);
      await this.#assertMembersListed(g, peerId);
      return this.#commits.commit(g, peerId, await (g.member as GroupMember).selfUpdate());
    });
  }

  readArchive(): Promise<ArchiveReadout> {
    if (this.#archive === undefined) throw new V2RefusedError('no-device', 'no archive key');
    return this.#archive.readAll();
  }

  async #onItem(raw: unknown): Promise<V2Event[]> {
    const parsed = ZStreamItem.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      return [
        {
          kind: 'refused',
          conversationId: '',
          messageId: typeof id === 'string' ? id : '',
          reason: 'malformed',
        },
      ];
    }
    const item: TStreamItem = parsed.data;
    if (item.mls === undefined) return [{ kind: 'v1', item: raw }];
    const me = this.#o.userId;
    if (item.sender_id !== me && item.recipient_id !== me)
      return [
        { kind: 'refused', conversationId: item.conversation_id, messageId: item.id, reason: 'not-mine' },
      ];
    // The peer -> conversation mapping is learned from messages.mlsEpoch only, never from an item.
    const g = await this.#group(item.conversation_id);
    const events = await g.receive(item);
    const records: ArchiveRecord[] = [];
    for (const e of events)
      if (e.kind === 'message' && e.payload.type !== 'unsupported')
        records.push({
          conversation_id: e.conversationId,
          message_id: e.messageId,
          seq: e.seq,
          sender_id: e.senderUserId,
          sent_at: e.sentAt,
          payload: e.payload,
        });
    // receive() has already deleted the keys and marked the items seen: from here on nothing may
    // throw, or the events (the only copy of these messages) would be lost for good.
    await this.#archiveRecords(records);
    // A Welcome used one of this device's one-time KeyPackages: top the pool up again.
    if (events.some((e) => e.kind === 'joined')) await this.#pool.refill().catch(() => undefined);
    return events;
  }

  /**
   * Best effort: a failed append keeps the records for the next attempt (bounded); an honest 409
   * means another device turned the archive off, so the cached flag is stale.
   */
  async #archiveRecords(records: ArchiveRecord[]): Promise<void> {
    if (this.#archive === undefined) return;
    const pending = [...this.#unarchived, ...records];
    this.#unarchived = [];
    if (pending.length === 0) return;
    try {
      if (!(await this.#own.archiveOn())) return;
      await this.#archive.append(pending);
    } catch (e) {
      if (isConflict(e)) {
        this.#own.archiveTurnedOff();
        return;
      }
      this.#unarchived = pending.slice(-MAX_UNARCHIVED);
    }
  }

  /**
   * Before anything is encrypted or committed to the group: every leaf must be on its user's current
   * signed list with its leaf key. A revoked device still in the tree (its removal commit refused
   * with a 409, or never made) is removed first; if that cannot be done, nothing is sent.
   */
  async #assertMembersListed(g: ConversationGroup, peerId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const member = g.member;
      if (member === undefined) refuseV2('not-listed', 'this device is no longer in the group');
      const { unlisted, missing } = await this.#listed.audit((member as GroupMember).members(), peerId);
      if (unlisted.length === 0) return this.#addMissing(g, peerId, missing);
      if (attempt > MAX_SYNC_ATTEMPTS) break;
      if ((await this.#commits.sync(g, peerId)) === 'conflict') await this.#pull();
    }
    refuseV2('not-listed', 'the group holds a device that is not on the signed list');
  }

  /**
   * A device newly on a list joins at the next send, so it reads from then on (earlier messages reach
   * it through the archive). A device that cannot be added (no KeyPackage) is tried again only after
   * ADD_RETRY_MS, so a send does not claim KeyPackages every time.
   */
  async #addMissing(g: ConversationGroup, peerId: string, missing: readonly string[]): Promise<void> {
    const now = Date.now();
    const due = missing.filter(
      (id) => now - (this.#addTried.get(id) ?? Number.NEGATIVE_INFINITY) >= ADD_RETRY_MS,
    );
    if (due.length === 0) return;
    for (const id of due) this.#addTried.set(id, now);
    if ((await this.#commits.sync(g, peerId)) === 'conflict') await this.#pull();
  }

  /**
   * The server names the conversation of a peer; a group of another conversation (e.g. with a third
   * user) must never carry a message meant for this peer: only this user's and the peer's devices.
   */
  #checkPeer(member: GroupMember, peerId: string): void {
    const members = member.members();
    const users = new Set(members.map((m) => m.userId));
    users.delete(this.#o.userId);
    if (users.size !== 1 || !users.has(peerId))
      throw new V2RefusedError('wrong-conversation', "this conversation's group is not with that user");
  }

  async #conversation(peerId: string): Promise<string> {
    const known = this.#conversationOf.get(peerId);
    if (known !== undefined) return known;
    const a = parseAnswer(ZMlsEpochAnswer, await this.#o.transport.mlsEpoch(peerId), 'messages.mlsEpoch');
    this.#conversationOf.set(peerId, a.conversation_id);
    return a.conversation_id;
  }

  async #group(conversationId: string): Promise<ConversationGroup> {
    let g = this.#groups.get(conversationId);
    if (g === undefined) {
      const loaded = await this.#state.loadGroup(conversationId, this.#o.accountKeyFor);
      g = new ConversationGroup(
        conversationId,
        loaded,
        this.#state,
        this.#pool,
        this.#o.accountKeyFor,
        this.#listed,
      );
      this.#groups.set(conversationId, g);
    }
    return g;
  }

  #exclusive<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
