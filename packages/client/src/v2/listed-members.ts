/**
 * The rule that keeps revoked devices out: every leaf of a group this device encrypts to, commits
 * to or joins must be a device on its user's signed list WITH the very signature key of its leaf,
 * and the group holds exactly this user and the peer. A revoked device keeps a valid certificate
 * (it is signed by the account key), so the certificate alone proves nothing about revocation.
 */
import type { Member } from '@lockbox/mls';
import { type DeviceList, isListedDevice } from './device-list';
import type { Membership } from './membership';

export type Leaf = Pick<Member, 'userId' | 'deviceId' | 'signatureKey'>;

export const isListedLeaf = (lists: readonly DeviceList[], leaf: Leaf): boolean =>
  lists.some((l) => l.userId === leaf.userId && isListedDevice(l, leaf.deviceId, leaf.signatureKey));

export class ListedMembers {
  readonly #membership: Membership;
  readonly #me: string;
  /** The last verified list per user: application senders are checked against it between fetches. */
  readonly #latest = new Map<string, DeviceList>();

  constructor(membership: Membership, me: string) {
    this.#membership = membership;
    this.#me = me;
  }

  /** Fetches (and pins) the current lists of this user and the peer. */
  async lists(peerId: string): Promise<DeviceList[]> {
    const out: DeviceList[] = [];
    for (const userId of [this.#me, peerId]) {
      const list = await this.#membership.list(userId);
      if (list === null) continue;
      this.#latest.set(userId, list);
      out.push(list);
    }
    return out;
  }

  /** Leaves that are not on their user's freshly fetched list (a third user's leaves included). */
  async unlisted(leaves: readonly Leaf[], peerId: string): Promise<Leaf[]> {
    const lists = await this.lists(peerId);
    return leaves.filter((m) => !isListedLeaf(lists, m));
  }

  /**
   * One fetch of both lists: the leaves not on them (to remove before sending) and the listed
   * devices with no leaf yet (a newly linked device, to add so it reads what is sent next).
   */
  async audit(leaves: readonly Leaf[], peerId: string): Promise<{ unlisted: Leaf[]; missing: string[] }> {
    const lists = await this.lists(peerId);
    const present = new Set(leaves.map((m) => m.deviceId));
    return {
      unlisted: leaves.filter((m) => !isListedLeaf(lists, m)),
      missing: lists.flatMap((l) => l.devices.map((d) => d.deviceId)).filter((id) => !present.has(id)),
    };
  }

  /** Why a Welcome's tree may not be joined, or undefined when every leaf is listed and the users are right. */
  async refuseTree(leaves: readonly Leaf[], peerId: string): Promise<string | undefined> {
    const users = new Set(leaves.map((m) => m.userId));
    if (users.size !== 2 || !users.has(this.#me) || !users.has(peerId)) return 'wrong-conversation';
    return (await this.unlisted(leaves, peerId)).length > 0 ? 'not-listed' : undefined;
  }

  /** An application sender: on the last list seen, or else on a freshly fetched one (a new device). */
  async senderListed(sender: Leaf): Promise<boolean> {
    const known = this.#latest.get(sender.userId);
    if (known !== undefined && isListedLeaf([known], sender)) return true;
    const fresh = await this.#membership.list(sender.userId);
    if (fresh === null) return false;
    this.#latest.set(sender.userId, fresh);
    return isListedLeaf([fresh], sender);
  }

  /** A commit changed who is in a group: the next sender check reads fresh lists. */
  forget(): void {
    this.#latest.clear();
  }
}
