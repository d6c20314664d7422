/**
 * The checks a group passes before this device encrypts or commits to it: only this user's and the
 * peer's devices, every leaf on its user's current signed list, and newly listed devices added.
 */
import type { GroupMember } from '@lockbox/mls';
import type { ConversationGroup } from './conversation-group';
import { refuseV2, V2RefusedError } from './errors';
import type { GroupCommits } from './group-commits';
import type { ListedMembers } from './listed-members';

export const MAX_SYNC_ATTEMPTS = 3;
/** How long a listed device that could not be added waits before the next send tries again. */
const ADD_RETRY_MS = 30_000;

export class MemberChecks {
  readonly #userId: string;
  readonly #listed: ListedMembers;
  readonly #commits: GroupCommits;
  /** Reads the stream after a 409, so the next sync rebases on the commit that won the epoch. */
  readonly #pull: () => Promise<unknown>;
  readonly #addTried = new Map<string, number>();

  constructor(userId: string, listed: ListedMembers, commits: GroupCommits, pull: () => Promise<unknown>) {
    this.#userId = userId;
    this.#listed = listed;
    this.#commits = commits;
    this.#pull = pull;
  }

  /**
   * The server names the conversation of a peer; a group of another conversation (e.g. with a third
   * user) must never carry a message meant for this peer: only this user's and the peer's devices.
   */
  checkPeer(member: GroupMember, peerId: string): void {
    const members = member.members();
    const users = new Set(members.map((m) => m.userId));
    users.delete(this.#userId);
    if (users.size !== 1 || !users.has(peerId))
      throw new V2RefusedError('wrong-conversation', "this conversation's group is not with that user");
  }

  /**
   * Before anything is encrypted or committed to the group: every leaf must be on its user's current
   * signed list with its leaf key. A revoked device still in the tree (its removal commit refused
   * with a 409, or never made) is removed first; if that cannot be done, nothing is sent.
   */
  async assertMembersListed(g: ConversationGroup, peerId: string): Promise<void> {
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
}
