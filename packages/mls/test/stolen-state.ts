/**
 * What an attacker holding a device's stolen state can decrypt, tried below the GroupMember API
 * (whose "removed" and epoch guards an attacker would simply not run): ts-mls itself, given the
 * stolen state, the commits it saw on the wire, and one ciphertext to open.
 */
import { decodeGroupState, decodeMlsMessage, emptyPskIndex, processPrivateMessage } from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { unprotectPrivateMessage } from 'ts-mls/messageProtection.js';
import { loadCiphersuite } from '../src';

const privateMessage = (bytes: Uint8Array) => {
  const m = decodeMlsMessage(bytes, 0)?.[0];
  if (m?.wireformat !== 'mls_private_message') throw new Error('not a PrivateMessage');
  return m.privateMessage;
};

/** The plaintext if the stolen state can follow `commits` and open `target`, else undefined. */
export const openWithStolenState = async (
  stolen: Uint8Array,
  commits: Uint8Array[],
  target: Uint8Array,
): Promise<string | undefined> => {
  const cs = await loadCiphersuite();
  let state = { ...decodeGroupState(stolen, 0)![0], clientConfig: defaultClientConfig };
  for (const commit of commits) {
    try {
      state = (await processPrivateMessage(state, privateMessage(commit), emptyPskIndex, cs)).newState;
    } catch {
      // A commit the thief cannot process leaves it where it was; it still tries the target.
    }
  }
  try {
    const pm = privateMessage(target);
    const { content } = await unprotectPrivateMessage(
      state.keySchedule.senderDataSecret,
      pm,
      state.secretTree,
      state.ratchetTree,
      state.groupContext,
      state.clientConfig.keyRetentionConfig,
      cs,
    );
    return content.content.contentType === 'application'
      ? new TextDecoder().decode(content.content.applicationData)
      : undefined;
  } catch {
    return undefined;
  }
};
