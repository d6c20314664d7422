/** Checking a stream item's server-written label against the MLS bytes it carries. */
import { peekHeader } from '@lockbox/mls';
import { bytesEqual, fromBase64, utf8 } from '../crypto/bytes';
import type { TStreamItem } from './transport';

/** Does the item's `mls` label (kind, epoch) and conversation agree with the cleartext MLS header? */
export const labelMatches = (item: TStreamItem, conversationId: string): boolean => {
  try {
    const h = peekHeader(fromBase64(item.encrypted_blob));
    const kind = item.mls?.kind;
    if (kind === 'welcome') return h.wireFormat === 'mls_welcome';
    if (h.groupId === undefined || !bytesEqual(h.groupId, utf8(conversationId))) return false;
    if (h.epoch === undefined || BigInt(item.mls?.epoch ?? -1) !== h.epoch) return false;
    if (kind === 'commit') return h.contentType === 'commit';
    return (
      kind === 'application' && h.contentType === 'application' && h.wireFormat === 'mls_private_message'
    );
  } catch {
    return false;
  }
};
