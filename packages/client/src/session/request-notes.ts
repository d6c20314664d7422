/**
 * The note of a chat request, sealed end to end (issue 11, finding 12).
 *
 * A note is an envelope v1 exactly like a message (signed by the sender,
 * wrapped for recipient and sender, both user ids bound in the signed header,
 * key-committed, padded), told apart from a message twice over, both inside
 * what the sender signs:
 * - its payload type is `request_note` (messages are `text`): a note opened as
 *   a message is refused by `decryptMessage`, a message opened here is refused;
 * - its client_msg_id is `note:<uuid>`, which the SDK never uses for messages.
 *
 * The server holds no plaintext: only that a request exists and carries an
 * opaque sealed note. Opening checks the envelope's sender and recipient
 * against the request's `from_user_id` / `to_user_id` (before any key is
 * fetched, so a re-attributed note pins nothing), then the sender's pinned key
 * and everything `openMessage` checks. A note that fails any check is returned
 * as `refused` with a reason, never as text. A legacy plaintext `message`
 * (curl senders) is returned as `unencrypted` so apps can say the server could
 * read and change it.
 */
import type { TSealedNote } from '@lockbox/contracts';
import { LockboxApiError } from '../api/errors';
import {
  CryptoError,
  type CryptoErrorCode,
  decodeEnvelope,
  fromBase64,
  type Identity,
  type PublicIdentity,
  type RandomSource,
  REQUEST_NOTE_MAX_CHARS,
  sealMessage,
  toBase64,
} from '../crypto';
import type { ContactKeys } from './contact-keys';
import { type Me, openForMe } from './envelope-opening';
import { newClientMsgId } from './messages';

export const NOTE_ID_PREFIX = 'note:';
const NOTE_ID = /^note:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What an app shows for a request's note. */
export type RequestNote =
  /** Sealed by the request's sender to its recipient, verified against the sender's pinned key. */
  | { status: 'sealed'; text: string /** The sender's clock at sealing (ms), signed. */; sent_at: number }
  /** A legacy plaintext note (sent with curl): the server could read it and could have changed it. */
  | { status: 'unencrypted'; text: string }
  /** Failed a check: shown as a warning, never as text. */
  | { status: 'refused'; code: CryptoErrorCode | 'invalid'; reason: string };

/** A request as the server sends it (lists, send answer, live frame): who, when, and its note fields. */
export interface RequestWithNoteFields {
  from_user_id: string;
  to_user_id: string;
  created_at?: unknown;
  message?: unknown;
  sealed_message?: { encrypted_blob: string; signature: string } | null;
}

/** A request as the SDK hands it out: the raw note fields replaced by the opened note. */
export type WithNote<T> = Omit<T, 'message' | 'sealed_message'> & { note: RequestNote | null };

export const sealRequestNote = (
  me: Me,
  recipient: { id: string; identity: PublicIdentity },
  text: string,
  random: RandomSource,
): TSealedNote => {
  const sealed = sealMessage({
    sender: { userId: me.userId, identity: me.identities[0] as Identity },
    recipient: { userId: recipient.id, identity: recipient.identity },
    clientMsgId: `${NOTE_ID_PREFIX}${newClientMsgId(random)}`,
    payload: { type: 'request_note', text },
    random,
  });
  return { encrypted_blob: toBase64(sealed.envelope), signature: toBase64(sealed.signature) };
};

const refused = (code: CryptoErrorCode | 'invalid', reason: string): RequestNote => ({
  status: 'refused',
  code,
  reason,
});

const openSealed = async (
  keys: ContactKeys,
  me: Me,
  request: RequestWithNoteFields,
  sealedNote: { encrypted_blob: string; signature: string },
): Promise<RequestNote> => {
  const outgoing = request.from_user_id === me.userId;
  if (!outgoing && request.to_user_id !== me.userId)
    return refused('not_for_me', 'this request is between other users');
  const envelope = fromBase64(sealedNote.encrypted_blob);
  const signature = fromBase64(sealedNote.signature);
  const { header } = decodeEnvelope(envelope);
  if (header.senderId !== request.from_user_id || header.recipientId !== request.to_user_id)
    return refused(
      'metadata_mismatch',
      'the note was sealed by or for someone else than this request names (moved by the server?)',
    );
  if (!NOTE_ID.test(header.clientMsgId))
    return refused('invalid', 'this is not a request note (a message presented as one?)');
  const opened = await openForMe(keys, me, {
    envelope,
    signature,
    metadata: {
      senderId: request.from_user_id,
      recipientId: request.to_user_id,
      clientMsgId: header.clientMsgId,
    },
    createdAt: typeof request.created_at === 'string' ? request.created_at : new Date().toISOString(),
  });
  if (opened.payload.type !== 'request_note')
    return refused('invalid', 'this is not a request note (a message presented as one?)');
  return { status: 'sealed', text: opened.payload.text, sent_at: opened.header.timestamp };
};

/** The request's note, opened and checked; null when it has none. */
export const openRequestNote = async (
  keys: ContactKeys,
  me: Me,
  request: RequestWithNoteFields,
): Promise<RequestNote | null> => {
  const plain = request.message ?? null;
  const sealed = request.sealed_message ?? null;
  if (plain !== null && sealed !== null)
    return refused('invalid', 'the request carries both a sealed and a plaintext note');
  if (plain !== null) {
    if (typeof plain !== 'string' || plain.length === 0 || plain.length > REQUEST_NOTE_MAX_CHARS)
      return refused('invalid', 'the plaintext note is not a valid note');
    return { status: 'unencrypted', text: plain };
  }
  if (sealed === null) return null;
  try {
    return await openSealed(keys, me, request, sealed);
  } catch (err) {
    if (err instanceof CryptoError) return refused(err.code, err.message);
    if (err instanceof LockboxApiError && err.code === 'not_found')
      return refused('invalid', 'the sender has no published keys');
    if (err instanceof LockboxApiError) throw err;
    return refused('invalid', (err as Error).message);
  }
};

/** The request with its raw note fields replaced by the opened note. */
export const withOpenedNote = async <T extends RequestWithNoteFields>(
  keys: ContactKeys,
  me: Me,
  request: T,
): Promise<WithNote<T>> => {
  const { message: _m, sealed_message: _s, ...rest } = request;
  return { ...rest, note: await openRequestNote(keys, me, request) };
};
