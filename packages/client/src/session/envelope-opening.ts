/**
 * Opening an envelope v1 addressed to me, shared by messages and request notes
 * (both are envelopes; what differs is the payload they accept). The signing
 * key is chosen before opening: one of my identities for what I sent, else the
 * sender's pinned key; a pinned key the sender no longer uses is reported.
 */
import { bytesEqual, CryptoError, decodeEnvelope, type Identity, openMessage } from '../crypto';
import type { ContactKeys } from './contact-keys';

/** The signed-in user as the crypto paths need it: id and identities (current first). */
export interface Me {
  userId: string;
  identities: Identity[];
}

export interface SealedForMe {
  envelope: Uint8Array;
  signature: Uint8Array;
  /** What the server says about it; openMessage holds the signed header equal to these. */
  metadata: { senderId: string; recipientId: string; clientMsgId: string };
  /** The server's time for it (which of the sender's pinned keys was current then). */
  createdAt: string;
}

export const openForMe = async (keys: ContactKeys, me: Me, sealed: SealedForMe) => {
  const outgoing = sealed.metadata.senderId === me.userId;
  const presented = decodeEnvelope(sealed.envelope).header.senderIdentityKey;
  const senderIdentityKey = outgoing
    ? ((me.identities.find((i) => bytesEqual(i.identityKey, presented)) ?? me.identities[0])
        ?.identityKey as Uint8Array)
    : await keys.signingKeyFor(sealed.metadata.senderId, presented, sealed.createdAt);
  try {
    return openMessage({
      envelope: sealed.envelope,
      signature: sealed.signature,
      metadata: sealed.metadata,
      senderIdentityKey,
      reader: { userId: me.userId, identities: me.identities },
    });
  } catch (err) {
    if (err instanceof CryptoError && err.code === 'key_changed' && !outgoing)
      keys.reportMessageKeyChange(await keys.pinOf(sealed.metadata.senderId), presented);
    throw err;
  }
};
