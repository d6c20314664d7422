/**
 * One conversation's MLS group as this device sees it, and the strict in-order reading of its
 * stream items: a commit is applied, a Welcome joins (if it names one of this device's
 * KeyPackages), an application message is decrypted. An item for an epoch this device has not
 * reached means a commit was withheld or reordered: the item is parked and the conversation is in
 * `missing-commit` until that commit arrives, then the parked items are read in order. Nothing is
 * dropped silently: every item ends as an event (message, refused, or parked).
 */
import { type AccountKeyResolver, GroupMember, type MemberId, MlsRefusedError } from '@lockbox/mls';
import { bytesEqual, fromBase64, utf8 } from '../crypto/bytes';
import { decodePayload, type ReceivedPayload } from '../crypto/payload';
import type { DeviceState, StoredGroupMeta } from './device-state';
import type { KeyPackagePool } from './key-package-pool';
import type { ListedMembers } from './listed-members';
import { labelMatches } from './stream-label';
import type { TStreamItem } from './transport';

export type ConversationStatus = 'none' | 'active' | 'missing-commit' | 'removed';

export interface ReceivedMessage {
  kind: 'message';
  conversationId: string;
  messageId: string;
  seq: number;
  senderUserId: string;
  senderDeviceId: string;
  sentAt: string;
  payload: ReceivedPayload;
}

export type GroupEvent =
  | ReceivedMessage
  | { kind: 'joined'; conversationId: string; epoch: number }
  | { kind: 'membership'; conversationId: string; epoch: number; added: MemberId[]; removed: MemberId[] }
  | { kind: 'missing-commit'; conversationId: string; messageId: string; epoch: number; have: number }
  | { kind: 'removed'; conversationId: string }
  | { kind: 'refused'; conversationId: string; messageId: string; reason: string }
  /** An item from before this device joined (or its own): nothing to read, the archive has it. */
  | { kind: 'skipped'; conversationId: string; messageId: string; why: SkipReason };

export type SkipReason = 'not-a-member' | 'own' | 'duplicate' | 'not-for-this-device' | 'already-a-member';

/** Items waiting for a withheld commit, per conversation. */
export const MAX_PARKED = 200;

export class ConversationGroup {
  readonly conversationId: string;
  #member: GroupMember | undefined;
  #meta: StoredGroupMeta;
  /** Items waiting for a commit this device has not seen yet, in stream order. */
  #removed = false;
  readonly #state: DeviceState;
  readonly #pool: KeyPackagePool;
  readonly #accountKeyFor: AccountKeyResolver;
  readonly #listed: ListedMembers | undefined;
  /** The epoch this device joined at (this run): parked items from before it are history, skipped. */
  #joinedAt = 0;

  constructor(
    conversationId: string,
    loaded: { member: GroupMember; meta: StoredGroupMeta } | undefined,
    state: DeviceState,
    pool: KeyPackagePool,
    accountKeyFor: AccountKeyResolver,
    listed?: ListedMembers,
  ) {
    this.#listed = listed;
    this.conversationId = conversationId;
    this.#member = loaded?.member;
    this.#meta = loaded?.meta ?? { seen: [], sent: [], parked: [] };
    this.#state = state;
    this.#pool = pool;
    this.#accountKeyFor = accountKeyFor;
  }

  get member(): GroupMember | undefined {
    return this.#member;
  }
  get status(): ConversationStatus {
    if (this.#removed) return 'removed';
    if (this.#member === undefined) return 'none';
    return this.#meta.parked.length > 0 ? 'missing-commit' : 'active';
  }
  get epoch(): number {
    return Number(this.#member?.epoch ?? 0n);
  }

  /** A group this device just created (epoch 0, alone); kept only once its first commit is accepted. */
  adopt(member: GroupMember): void {
    this.#member = member;
  }
  drop(): void {
    this.#member = undefined;
  }

  async save(): Promise<void> {
    if (this.#member !== undefined)
      await this.#state.saveGroup(this.conversationId, this.#member, this.#meta);
  }

  /** Remembers an item this device sent, so it is not read back when the stream returns it. */
  async sent(messageId: string): Promise<void> {
    this.#meta.sent.push(messageId);
    await this.save();
  }

  async receive(item: TStreamItem): Promise<GroupEvent[]> {
    const skip = (why: SkipReason): GroupEvent[] => [
      { kind: 'skipped', conversationId: this.conversationId, messageId: item.id, why },
    ];
    if (this.#meta.seen.includes(item.id) || this.#meta.parked.some((p) => p.id === item.id))
      return skip('duplicate');
    if (this.#meta.sent.includes(item.id)) return skip('own');
    // The server's label must match the bytes before anything is decrypted (a relabelled item
    // would burn a key or vanish); a mislabelled item is refused and not marked seen.
    if (!labelMatches(item, this.conversationId)) return this.#refusedFor(item, 'label-mismatch');
    const events = await this.#read(item);
    if (events.some((e) => e.kind === 'missing-commit')) {
      await this.save();
      return events;
    }
    this.#meta.seen.push(item.id);
    await this.save();
    // A commit moved the epoch on: the parked items may be readable now, in their order.
    if (item.mls?.kind !== 'application' && this.#meta.parked.length > 0)
      events.push(...(await this.#retryParked()));
    return events;
  }

  /**
   * Every parked item is retried on its own (a fabricated far-future item must not hold back the
   * genuine ones behind it), in stream order, until a pass reads nothing more.
   */
  async #retryParked(): Promise<GroupEvent[]> {
    const events: GroupEvent[] = [];
    for (let progress = true; progress && this.#meta.parked.length > 0; ) {
      progress = false;
      const parked = this.#meta.parked;
      this.#meta.parked = [];
      for (const item of parked) {
        const out = await this.#read(item);
        // Still ahead: #read parked it again; no second missing-commit event for it.
        if (out.some((e) => e.kind === 'missing-commit')) continue;
        progress = true;
        this.#meta.seen.push(item.id);
        events.push(...out);
      }
    }
    await this.save();
    return events;
  }

  async #read(item: TStreamItem): Promise<GroupEvent[]> {
    const conversationId = this.conversationId;
    const bytes = fromBase64(item.encrypted_blob);
    const kind = item.mls?.kind;
    if (kind === 'welcome') {
      if (this.#member !== undefined) return this.#skipped(item, 'already-a-member');
      try {
        const joined = await GroupMember.join(bytes, this.#state.keyPackages(), {
          accountKeyFor: this.#accountKeyFor,
        });
        // Checked before the KeyPackage is used up: the server names the conversation and the group id
        // inside the Welcome must agree; every leaf must be a listed device (a revoked device's
        // certificate still verifies) and the group must hold exactly this user and the peer.
        if (!bytesEqual(joined.member.groupId, utf8(conversationId)))
          return this.#refusedFor(item, 'wrong-conversation');
        const why = await this.#listed?.refuseTree(joined.member.members(), this.#peerOf(item));
        if (why !== undefined) return this.#refusedFor(item, why);
        this.#member = joined.member;
        this.#joinedAt = this.epoch;
        await this.#pool.used(joined.usedKeyPackage);
        return [{ kind: 'joined', conversationId, epoch: this.epoch }];
      } catch (e) {
        if (e instanceof MlsRefusedError && e.reason === 'not-for-this-device')
          return this.#skipped(item, 'not-for-this-device');
        return this.#refused(item, e);
      }
    }
    if (this.#removed) return [{ kind: 'skipped', conversationId, messageId: item.id, why: 'not-a-member' }];
    if (this.#member === undefined) return this.#parkBeforeJoin(item);
    try {
      const r = await this.#member.receive(bytes);
      if (r.kind === 'commit') {
        if (r.removedSelf) {
          this.#removed = true;
          await this.#state.deleteGroup(conversationId);
          return [{ kind: 'removed', conversationId }];
        }
        this.#listed?.forget();
        return [
          { kind: 'membership', conversationId, epoch: Number(r.epoch), added: r.added, removed: r.removed },
        ];
      }
      if (kind !== 'application') return this.#refused(item, new Error('application data in a commit item'));
      // A revoked device still holds the group keys until a removal commit: its messages are refused.
      if (this.#listed !== undefined && !(await this.#listed.senderListed(r.sender)))
        return this.#refusedFor(item, 'not-listed');
      return [
        {
          kind: 'message',
          conversationId,
          messageId: item.id,
          seq: item.seq,
          // The MLS sender is authenticated inside the group; the server's sender_id must agree.
          senderUserId: r.sender.userId,
          senderDeviceId: r.sender.deviceId,
          sentAt: item.created_at,
          payload:
            r.sender.userId === item.sender_id
              ? decodePayload(r.plaintext)
              : { type: 'unsupported', original_type: 'sender-mismatch' },
        },
      ];
    } catch (e) {
      if (e instanceof MlsRefusedError && e.reason === 'future-epoch') {
        // Bounded: past the cap the newest item is refused (an event), never memory without end.
        if (this.#meta.parked.length >= MAX_PARKED) return this.#refusedFor(item, 'too-many-parked');
        this.#meta.parked.push(item);
        return [
          {
            kind: 'missing-commit',
            conversationId,
            messageId: item.id,
            epoch: item.mls?.epoch ?? -1,
            have: this.epoch,
          },
        ];
      }
      // A commit for an epoch this device already left (it joined later, or it was its own).
      if (
        e instanceof MlsRefusedError &&
        e.reason === 'old-epoch' &&
        (kind === 'commit' || (item.mls?.epoch ?? 0) < this.#joinedAt)
      )
        return [{ kind: 'skipped', conversationId, messageId: item.id, why: 'not-a-member' }];
      // A message for this very epoch that does not decrypt: the sender is on another branch of the
      // group (the server showed two commits for one epoch to different devices), or forged.
      if (
        e instanceof MlsRefusedError &&
        e.reason === 'decrypt-failed' &&
        kind === 'application' &&
        item.mls?.epoch === this.epoch
      )
        return this.#refusedFor(item, 'fork-suspected');
      return this.#refused(item, e);
    }
  }

  /**
   * Not a member yet: the Welcome may come after the first messages (a server reordering, or a
   * stream page boundary), so the item waits for it instead of being marked seen. The newest
   * MAX_PARKED wait; on overflow the oldest (most likely history from before this device) is skipped.
   */
  #parkBeforeJoin(item: TStreamItem): GroupEvent[] {
    const events: GroupEvent[] = [];
    while (this.#meta.parked.length >= MAX_PARKED) {
      const oldest = this.#meta.parked.shift() as TStreamItem;
      this.#meta.seen.push(oldest.id);
      events.push(...this.#skipped(oldest, 'not-a-member'));
    }
    this.#meta.parked.push(item);
    const epoch = item.mls?.epoch ?? -1;
    // 'missing-commit' keeps the item unseen; have = -1: this device has no group state yet.
    events.push({
      kind: 'missing-commit',
      conversationId: this.conversationId,
      messageId: item.id,
      epoch,
      have: -1,
    });
    return events;
  }

  #peerOf(item: TStreamItem): string {
    return item.sender_id === this.#state.userId ? item.recipient_id : item.sender_id;
  }

  #skipped(item: TStreamItem, why: SkipReason): GroupEvent[] {
    return [{ kind: 'skipped', conversationId: this.conversationId, messageId: item.id, why }];
  }

  #refusedFor(item: TStreamItem, reason: string): GroupEvent[] {
    return [{ kind: 'refused', conversationId: this.conversationId, messageId: item.id, reason }];
  }

  #refused(item: TStreamItem, e: unknown): GroupEvent[] {
    const reason = e instanceof MlsRefusedError ? e.reason : 'malformed';
    return [{ kind: 'refused', conversationId: this.conversationId, messageId: item.id, reason }];
  }
}
