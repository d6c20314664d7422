/** Reading who is in a group out of its ratchet tree, and re-checking every member's certificate. */
import type { ClientState, RatchetTree } from 'ts-mls';
import { type AccountKeyResolver, authenticateMember } from './authentication';
import { certificateFromCredential } from './device-certificate';

export interface MemberId {
  userId: string;
  deviceId: string;
}

export interface Member extends MemberId {
  leafIndex: number;
  /** The leaf's signature key: callers check it against the device's entry on the signed device list. */
  signatureKey: Uint8Array;
}

export const sameMember = (a: MemberId, b: MemberId): boolean =>
  a.userId === b.userId && a.deviceId === b.deviceId;

/** Leaves sit at even node indexes (RFC 9420 array representation); blanks are skipped. */
export const membersOf = (tree: RatchetTree): Member[] => {
  const members: Member[] = [];
  tree.forEach((node, nodeIndex) => {
    if (nodeIndex % 2 !== 0 || node === undefined || node.nodeType !== 'leaf') return;
    const { userId, deviceId } = certificateFromCredential(
      node.leaf.credential,
      node.leaf.signaturePublicKey,
    );
    members.push({ userId, deviceId, leafIndex: nodeIndex / 2, signatureKey: node.leaf.signaturePublicKey });
  });
  return members;
};

export const memberAt = (
  tree: RatchetTree,
  leafIndex: number,
): (MemberId & { signatureKey: Uint8Array }) | undefined => {
  const node = tree[leafIndex * 2];
  if (node === undefined || node.nodeType !== 'leaf') return undefined;
  const { userId, deviceId } = certificateFromCredential(node.leaf.credential, node.leaf.signaturePublicKey);
  return { userId, deviceId, signatureKey: node.leaf.signaturePublicKey };
};

/**
 * Every leaf's certificate against the pinned account keys. ts-mls already asks the same
 * question through its AuthenticationService hook; asking again here, on the state about to be
 * adopted, keeps the property independent of which code paths inside ts-mls call the hook.
 */
export const authenticateAllMembers = (state: ClientState, accountKeyFor: AccountKeyResolver): void => {
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (nodeIndex % 2 === 0 && node?.nodeType === 'leaf')
      authenticateMember(node.leaf.credential, node.leaf.signaturePublicKey, accountKeyFor);
  });
};
