/**
 * The commits this device makes to a conversation's group: the first one (epoch 0, adding every
 * listed device of both users that handed out a KeyPackage), membership sync (remove devices no
 * longer listed, add newly listed ones), and self-updates. A commit is sent for the group's epoch
 * and merged only once the server accepted it; on a 409 it is dropped (the caller reads the
 * stream, where the winning commit or Welcome is, and tries again).
 */
import { type AccountKeyResolver, GroupMember, type StagedCommit } from '@lockbox/mls';
import { toBase64, utf8 } from '../crypto/bytes';
import { systemRandom } from '../crypto/random';
import type { ConversationGroup } from './conversation-group';
import type { DeviceList } from './device-list';
import type { DeviceState } from './device-state';
import { refuseV2, V2RefusedError } from './errors';
import { isListedLeaf } from './listed-members';
import type { Membership, RefusedKeyPackage } from './membership';
import { isConflict, parseAnswer, type V2Transport, ZMlsEpochAnswer, ZSendMlsAnswer } from './transport';

interface Options {
  transport: V2Transport;
  userId: string;
  accountKeyFor: AccountKeyResolver;
}

export const clientMsgId = (): string => `v2-${toBase64(systemRandom(12)).replace(/[+/=]/g, '')}`;

export class GroupCommits {
  readonly #o: Options;
  readonly #state: DeviceState;
  readonly #membership: Membership;
  readonly refused: RefusedKeyPackage[] = [];

  constructor(o: Options, state: DeviceState, membership: Membership) {
    this.#o = o;
    this.#state = state;
    this.#membership = membership;
  }

  /**
   * The migration rule: v2 once the peer has a signed list with a device ('v1' only while it has
   * none); no KeyPackage for a listed device refuses ('no-key-packages') instead of downgrading.
   * 'waiting' when another device created the group first.
   */
  async create(
    peerId: string,
    conversationId: string,
    g: ConversationGroup,
  ): Promise<'created' | 'v1' | 'waiting'> {
    const epoch = parseAnswer(ZMlsEpochAnswer, await this.#o.transport.mlsEpoch(peerId), 'messages.mlsEpoch');
    if (epoch.conversation_id !== conversationId)
      throw new V2RefusedError('malformed-list', 'the server changed the conversation id');
    if (epoch.epoch > 0) return 'waiting';
    const peerList = await this.#membership.list(peerId);
    if (peerList === null || peerList.devices.length === 0) return 'v1';
    const me = this.#state.deviceId;
    const peer = await this.#membership.claim(peerId, peerList, me);
    this.refused.push(...peer.refused);
    // The peer has a verified, pinned list with devices: an empty claim answer is the server's
    // doing (an honest one always has a last-resort KeyPackage), never a reason to fall back to v1.
    if (peer.keyPackages.length === 0)
      refuseV2('no-key-packages', 'the server handed out no usable KeyPackage of a listed device');
    const ownList = await this.#membership.list(this.#o.userId);
    const own = ownList ? await this.#membership.claim(this.#o.userId, ownList, me) : undefined;
    this.refused.push(...(own?.refused ?? []));
    const member = await GroupMember.create(this.#state.device, utf8(conversationId), {
      accountKeyFor: this.#o.accountKeyFor,
    });
    g.adopt(member);
    const staged = await member.addDevices([...peer.keyPackages, ...(own?.keyPackages ?? [])]);
    if ((await this.commit(g, peerId, staged)) === 'committed') return 'created';
    g.drop();
    return 'waiting';
  }

  /** One round of making the group match both signed lists. */
  async sync(
    g: ConversationGroup,
    peerId: string,
  ): Promise<'unchanged' | 'committed' | 'conflict' | 'no-group'> {
    const member = g.member;
    if (member === undefined) return 'no-group';
    const lists: DeviceList[] = [];
    for (const userId of [this.#o.userId, peerId]) {
      const list = await this.#membership.list(userId);
      if (list !== null) lists.push(list);
    }
    const current = member.members();
    // The leaf's signature key must be the listed one: same device id with another key is not listed.
    const remove = current.filter((m) => !isListedLeaf(lists, m) && m.deviceId !== this.#state.deviceId);
    let changed = false;
    if (remove.length > 0) {
      if ((await this.commit(g, peerId, await member.removeDevices(remove))) === 'conflict')
        return 'conflict';
      changed = true;
    }
    const add: Uint8Array[] = [];
    for (const list of lists) {
      const missing = new Set(
        list.devices
          .filter((d) => !current.some((m) => m.userId === list.userId && m.deviceId === d.deviceId))
          .map((d) => d.deviceId),
      );
      missing.delete(this.#state.deviceId);
      if (missing.size === 0) continue;
      const claimed = await this.#membership.claim(list.userId, list, this.#state.deviceId, missing);
      this.refused.push(...claimed.refused);
      add.push(...claimed.keyPackages);
    }
    if (add.length > 0) {
      if ((await this.commit(g, peerId, await member.addDevices(add))) === 'conflict') return 'conflict';
      changed = true;
    }
    return changed ? 'committed' : 'unchanged';
  }

  /** Sends a staged commit for the group's epoch; merges it only once the server took it. */
  async commit(
    g: ConversationGroup,
    peerId: string,
    staged: StagedCommit,
  ): Promise<'committed' | 'conflict'> {
    try {
      const answer = parseAnswer(
        ZSendMlsAnswer,
        await this.#o.transport.sendMls({
          recipient_id: peerId,
          client_msg_id: clientMsgId(),
          kind: 'commit',
          epoch: g.epoch,
          message: toBase64(staged.commit),
          ...(staged.welcome ? { welcome: toBase64(staged.welcome) } : {}),
        }),
        'messages.sendMls',
      );
      await (g.member as GroupMember).merge(staged);
      await g.sent(answer.message_id);
      return 'committed';
    } catch (e) {
      if (isConflict(e)) return 'conflict';
      throw e;
    }
  }
}
