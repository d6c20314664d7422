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
import { type ArchiveReadout, HistoryArchive } from './archive';
import { ConversationGroup, type ConversationStatus } from './conversation-group';
import { type DeviceList, DeviceListPins } from './device-list';
import { DeviceState } from './device-state';
import { V2RefusedError } from './errors';
import { clientMsgId, GroupCommits } from './group-commits';
import { KeyPackagePool, type PoolSize } from './key-package-pool';
import { ListedMembers } from './listed-members';
import { MAX_SYNC_ATTEMPTS, MemberChecks } from './member-checks';
import { Membership, type RefusedKeyPackage } from './membership';
import { OwnDeviceList } from './own-device-list';
import { StreamIngest, type V2Event } from './stream-ingest';
import { parseAnswer, type V2Transport, ZMlsEpochAnswer, ZSendMlsAnswer } from './transport';

export type { V2Event } from './stream-ingest';

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

export type SendOutcome =
  | { version: 'v2'; conversationId: string; messageId: string; seq: number; cursor: string; sentAt: string }
  /** The migration rule is not met (no peer device with a KeyPackage): send a v1 envelope. */
  | { version: 'v1' }
  /** Another device created the group first; its Welcome has not reached this device yet. */
  | { version: 'waiting' };

export class V2Engine {
  readonly #o: V2EngineOptions;
  readonly #state: DeviceState;
  readonly #pool: KeyPackagePool;
  readonly #own: OwnDeviceList;
  readonly #archive: HistoryArchive | undefined;
  readonly #groups = new Map<string, ConversationGroup>();
  readonly #conversationOf = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #commits: GroupCommits;
  readonly #listed: ListedMembers;
  readonly #ingest: StreamIngest;
  readonly #checks: MemberChecks;

  private constructor(o: V2EngineOptions, state: DeviceState) {
    this.#o = o;
    this.#state = state;
    this.#pool = new KeyPackagePool(state, o.transport, o.pool);
    const pins = new DeviceListPins(o.store, o.userId);
    const membership = new Membership(o.transport, pins, o.accountKeyFor);
    this.#own = new OwnDeviceList(o, pins, state);
    this.#archive = o.archiveKey && new HistoryArchive(o.transport, o.archiveKey, o.userId);
    this.#commits = new GroupCommits(o, state, membership);
    this.#listed = new ListedMembers(membership, o.userId);
    this.#ingest = new StreamIngest(
      o,
      state.deviceId,
      (conversationId) => this.#group(conversationId),
      this.#pool,
      this.#own,
      this.#archive,
    );
    this.#checks = new MemberChecks(o.userId, this.#listed, this.#commits, () => this.#ingest.pull());
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
        this.#checks.checkPeer(g.member, peerId);
        await this.#checks.assertMembersListed(g, peerId);
      }
      const member = g.member as GroupMember;
      this.#checks.checkPeer(member, peerId);
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
      await this.#ingest.archiveRecords([
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
    return this.#exclusive(() => this.#ingest.onItem(raw));
  }

  /** Reads this device's stream from its own cursor to the end. */
  pull(): Promise<V2Event[]> {
    return this.#exclusive(() => this.#ingest.pull());
  }

  /**
   * Makes the group match both signed lists: removes devices no longer listed (revocation), adds
   * newly listed ones. On a 409 (another commit won the epoch) it reads the stream and rebases.
   */
  syncMembers(peerId: string): Promise<'unchanged' | 'committed' | 'conflict' | 'no-group'> {
    return this.#exclusive(async () => {
      const g = await this.#group(await this.#conversation(peerId));
      if (g.member !== undefined) this.#checks.checkPeer(g.member, peerId);
      for (let attempt = 1; ; attempt++) {
        const r = await this.#commits.sync(g, peerId);
        if (r !== 'conflict' || attempt >= MAX_SYNC_ATTEMPTS) return r;
        await this.#ingest.pull();
      }
    });
  }

  /** Post-compromise recovery: a commit with a fresh path; a thief's copy of the old state opens nothing after it. */
  selfUpdate(peerId: string): Promise<'committed' | 'conflict' | 'no-group'> {
    return this.#exclusive(async () => {
      const g = await this.#group(await this.#conversation(peerId));
      if (g.member === undefined) return 'no-group';
      this.#checks.checkPeer(g.member, peerId);
      await this.#checks.assertMembersListed(g, peerId);
      return this.#commits.commit(g, peerId, await (g.member as GroupMember).selfUpdate());
    });
  }

  readArchive(): Promise<ArchiveReadout> {
    if (this.#archive === undefined) throw new V2RefusedError('no-device', 'no archive key');
    return this.#archive.readAll();
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
