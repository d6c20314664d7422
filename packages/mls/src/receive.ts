/**
 * Turning one incoming PrivateMessage into the next state: an application message (with its
 * authenticated sender) or a commit. Both return a new state and leave the old one untouched, so
 * a refused message changes nothing.
 */
import {
  type CiphersuiteImpl,
  type ClientState,
  emptyPskIndex,
  type IncomingMessageCallback,
  type PrivateMessage,
  processPrivateMessage,
} from 'ts-mls';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { CryptoVerificationError, MlsError, ValidationError } from 'ts-mls/mlsError.js';
import type { AccountKeyResolver, CertificateAuthenticationService } from './authentication';
import { MlsRefusedError, refuse } from './errors';
import { authenticateAllMembers, type MemberId, memberAt, membersOf, sameMember } from './members';

export type Received =
  | {
      kind: 'application';
      plaintext: Uint8Array;
      sender: MemberId & { signatureKey: Uint8Array };
      epoch: bigint;
    }
  | { kind: 'commit'; epoch: bigint; added: MemberId[]; removed: MemberId[]; removedSelf: boolean };

export interface ReceiveResult {
  received: Received;
  newState: ClientState;
  consumed: Uint8Array[];
}

/** ts-mls's own errors become refusals; the hook's recorded reason wins when it said no. */
const asRefusal = (e: unknown, auth: CertificateAuthenticationService, what: string): never => {
  if (e instanceof MlsRefusedError) throw e;
  if (auth.lastRefusal !== undefined) throw auth.lastRefusal;
  if (e instanceof CryptoVerificationError) return refuse('bad-signature', `${what}: signature invalid`, e);
  // ts-mls's wording when the (decrypted) sender data names a blank leaf: ts-mls 1.6.4 does not
  // stop at its own sender-data check, and fails here when it looks up the signature key.
  if (e instanceof ValidationError && e.message === 'Unable to find leafnode for leafIndex')
    return refuse('unknown-sender', `${what}: sender data names no member`, e);
  if (e instanceof MlsError || e instanceof Error) return refuse('decrypt-failed', `${what} refused`, e);
  throw e;
};

export const checkFraming = (state: ClientState, pm: PrivateMessage): void => {
  const gc = state.groupContext;
  if (pm.groupId.length !== gc.groupId.length || pm.groupId.some((b, i) => b !== gc.groupId[i]))
    refuse('wrong-group', 'message is for another group');
  if (pm.epoch > gc.epoch)
    refuse('future-epoch', `message for epoch ${pm.epoch}, this member is at ${gc.epoch}`);
  if (pm.epoch < gc.epoch && !state.historicalReceiverData.has(pm.epoch))
    refuse('old-epoch', `epoch ${pm.epoch} keys are gone (this member is at ${gc.epoch})`);
};

export const receiveApplication = async (
  state: ClientState,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
  auth: CertificateAuthenticationService,
): Promise<ReceiveResult> => {
  const current = pm.epoch === state.groupContext.epoch;
  const receiver = current
    ? {
        resumptionPsk: state.keySchedule.resumptionPsk,
        senderDataSecret: state.keySchedule.senderDataSecret,
        secretTree: state.secretTree,
        ratchetTree: state.ratchetTree,
        groupContext: state.groupContext,
      }
    : state.historicalReceiverData.get(pm.epoch)!;
  let result: Awaited<ReturnType<typeof unprotectPrivateMessage>>;
  try {
    result = await unprotectPrivateMessage(
      receiver.senderDataSecret,
      pm,
      receiver.secretTree,
      receiver.ratchetTree,
      receiver.groupContext,
      state.clientConfig.keyRetentionConfig,
      cs,
    );
  } catch (e) {
    return asRefusal(e, auth, 'application message');
  }
  const { content } = result.content;
  if (content.contentType !== 'application' || content.sender.senderType !== 'member')
    return refuse('unsupported-content', 'not an application message from a member');
  const sender = memberAt(receiver.ratchetTree, content.sender.leafIndex);
  if (sender === undefined) return refuse('unknown-sender', 'sender leaf is blank');
  const newState: ClientState = current
    ? { ...state, secretTree: result.tree }
    : {
        ...state,
        historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, {
          ...receiver,
          secretTree: result.tree,
        }),
      };
  return {
    received: { kind: 'application', plaintext: content.applicationData, sender, epoch: pm.epoch },
    newState,
    consumed: result.consumed,
  };
};

/** LockBox commits carry add, remove and update proposals only; anything else is refused. */
const ALLOWED_PROPOSALS = new Set<unknown>(['add', 'remove', 'update']);
const onlyMembershipChanges: IncomingMessageCallback = (incoming) => {
  const proposals = incoming.kind === 'commit' ? incoming.proposals : [incoming.proposal];
  const allowed = proposals.every((p) => ALLOWED_PROPOSALS.has(p.proposal.proposalType));
  return allowed ? 'accept' : 'reject';
};

export const receiveCommit = async (
  state: ClientState,
  pm: PrivateMessage,
  cs: CiphersuiteImpl,
  auth: CertificateAuthenticationService,
  accountKeyFor: AccountKeyResolver,
): Promise<ReceiveResult> => {
  if (pm.epoch !== state.groupContext.epoch) refuse('old-epoch', 'commit for a past epoch');
  let result: Awaited<ReturnType<typeof processPrivateMessage>>;
  try {
    result = await processPrivateMessage(state, pm, emptyPskIndex, cs, onlyMembershipChanges);
  } catch (e) {
    return asRefusal(e, auth, 'commit');
  }
  if (result.kind !== 'newState') return refuse('unsupported-content', 'expected a commit');
  if (result.actionTaken === 'reject')
    return refuse('unsupported-content', 'commit with proposals LockBox does not use');
  const { newState } = result;
  const removedSelf = newState.groupActiveState.kind === 'removedFromGroup';
  if (!removedSelf) authenticateAllMembers(newState, accountKeyFor);
  const before = membersOf(state.ratchetTree);
  const after = removedSelf ? [] : membersOf(newState.ratchetTree);
  const strip = ({ userId, deviceId }: MemberId): MemberId => ({ userId, deviceId });
  return {
    received: {
      kind: 'commit',
      epoch: newState.groupContext.epoch,
      added: after.filter((m) => !before.some((b) => sameMember(b, m))).map(strip),
      removed: before.filter((m) => !after.some((a) => sameMember(a, m))).map(strip),
      removedSelf,
    },
    newState,
    consumed: result.consumed,
  };
};
