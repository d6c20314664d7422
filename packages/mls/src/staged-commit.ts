/**
 * A commit this member built but has not applied: the message service accepts one commit per
 * epoch, so the creator applies its own only after the server took it, and drops it on a 409.
 * The keys a dropped commit consumed are left alone: the current state still refers to them.
 */
import type { ClientState, CreateCommitResult } from 'ts-mls';
import { encodeWire } from './wire';

export class StagedCommit {
  /** The commit, an MLS PrivateMessage for the conversation's sequence. */
  readonly commit: Uint8Array;
  /** The Welcome for the added devices, if the commit adds any. */
  readonly welcome: Uint8Array | undefined;
  /** The epoch the group enters once the commit is applied. */
  readonly epoch: bigint;

  constructor(commit: Uint8Array, welcome: Uint8Array | undefined, epoch: bigint) {
    this.commit = commit;
    this.welcome = welcome;
    this.epoch = epoch;
  }
}

interface Parts {
  base: ClientState;
  newState: ClientState;
  consumed: Uint8Array[];
}
const parts = new WeakMap<StagedCommit, Parts>();

export const stagedCommit = (base: ClientState, r: CreateCommitResult): StagedCommit => {
  const welcome =
    r.welcome && encodeWire({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome });
  const staged = new StagedCommit(encodeWire(r.commit), welcome, r.newState.groupContext.epoch);
  parts.set(staged, { base, newState: r.newState, consumed: r.consumed });
  return staged;
};

export const stagedCommitParts = (staged: StagedCommit): Parts => {
  const p = parts.get(staged);
  if (p === undefined) throw new TypeError('not a StagedCommit built by this package');
  return p;
};
