/**
 * Sending and reading messages: seal for the contact's pinned key and send;
 * verify and decrypt what the server returns, checking the envelope against
 * the server's metadata and the sender's pinned key. A message that fails any
 * check is returned with an `error` and no content, never half-trusted.
 */
import type { TMessage, TSendMessageResponse } from '@lockbox/contracts';
import type { LockboxTrpc } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import {
  CryptoError,
  type CryptoErrorCode,
  fromBase64,
  type Identity,
  type Payload,
  type RandomSource,
  type ReceivedPayload,
  sealMessage,
  toBase64,
} from '../crypto';
import type { ContactKeys } from './contact-keys';
import { type Me, openForMe } from './envelope-opening';
import { SessionError } from './errors';

export type { Me } from './envelope-opening';

/** A message as the server lists it, minus the sealed fields the SDK opens. */
export interface DecryptedMessage
  extends Pick<
    TMessage,
    'id' | 'conversation_id' | 'seq' | 'cursor' | 'sender_id' | 'recipient_id' | 'client_msg_id'
  > {
  /** Server time (unsigned: the server can say anything; show `sent_at`). */
  created_at: string;
  /** I sent it (from this or another of my logins). */
  outgoing: boolean;
  /**
   * The other party: for a verified message the one the signed envelope names
   * (file the message under this, never under a server-given conversation).
   * For a refused message only what the server claimed.
   */
  counterpart_id: string;
  /** The sender's clock at sealing (ms), from the signed envelope: the time to show. */
  sent_at?: number;
  /** `created_at` and the signed `sent_at` are more than SERVER_TIME_TOLERANCE_MS apart. */
  server_time_differs?: boolean;
  payload?: ReceivedPayload;
  /** Why it was refused; `payload` is then absent. */
  error?: { code: MessageRefusal; message: string };
  /** 1: a v1 envelope; 2: an E2E v2 (MLS) message, from this device's local v2 history. */
  version: 1 | 2;
  /** v2 only: which of the sender's devices sent it (absent for history restored from the archive). */
  sender_device_id?: string;
}

/**
 * Why a message was refused: a crypto check, or `invalid` (unreadable), `misplaced` (its
 * parties are not the ones asked for), `replayed` (seen before under another id or time).
 */
export type MessageRefusal = CryptoErrorCode | 'invalid' | 'misplaced' | 'replayed';

/**
 * How far the server's `created_at` may be from the signed `sent_at` before a
 * message is flagged. Sends are not queued offline, so an honest gap is network
 * time plus clock skew; ten minutes tolerates unsynchronised clocks and still
 * flags a message the server re-dates by hours or days.
 */
export const SERVER_TIME_TOLERANCE_MS = 10 * 60_000;

/**
 * Who the message must be between, checked before anything is fetched or
 * decrypted: with `counterpart`, exactly {me, counterpart} (a history); without,
 * me on one side (the stream). openMessage then holds the signed ids equal to
 * these, so a passing message is placed by its signature, not by the server.
 */
const misplacement = (m: TMessage, me: string, counterpart?: string): string | undefined => {
  const mine = m.sender_id === me || m.recipient_id === me;
  if (!mine) return 'this message is between other users';
  if (counterpart === undefined) return undefined;
  const between =
    (m.sender_id === me && m.recipient_id === counterpart) ||
    (m.sender_id === counterpart && m.recipient_id === me);
  return between ? undefined : 'the server placed a message from another conversation here';
};

/** A client_msg_id: a random UUIDv4 (made from our RandomSource, so no secure-context requirement). */
export const newClientMsgId = (random: RandomSource): string => {
  const b = random(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const sendPayload = async (
  trpc: LockboxTrpc,
  keys: ContactKeys,
  me: Me,
  recipient: { id: string; username?: string },
  payload: Payload,
  random: RandomSource,
): Promise<TSendMessageResponse & { client_msg_id: string }> => {
  const recipientIdentity = await keys.current(recipient.id, recipient.username).catch((err) => {
    if (err instanceof LockboxApiError && err.code === 'not_found')
      throw new SessionError(
        'no_keys',
        `${recipient.username ?? recipient.id} has not set up end-to-end encryption yet (no published keys)`,
      );
    throw err;
  });
  const clientMsgId = newClientMsgId(random);
  const sealed = sealMessage({
    sender: { userId: me.userId, identity: me.identities[0] as Identity },
    recipient: { userId: recipient.id, identity: recipientIdentity },
    clientMsgId,
    payload,
    random,
  });
  const body = {
    recipient_id: recipient.id,
    client_msg_id: clientMsgId,
    encrypted_blob: toBase64(sealed.envelope),
    signature: toBase64(sealed.signature),
  };
  const send = () => call(() => trpc.messages.send.mutate(body));
  try {
    // The same client_msg_id makes a retry safe: the server answers the original send again.
    const answer = await send().catch((err) => {
      if (
        err instanceof LockboxApiError &&
        (err.code === 'network' || err.status === 502 || err.status === 503)
      )
        return send();
      throw err;
    });
    return { ...answer, client_msg_id: clientMsgId };
  } catch (err) {
    if (err instanceof LockboxApiError && err.code === 'forbidden')
      throw new SessionError('not_a_contact', err.message);
    throw err;
  }
};

/** Opens one message from the server; `expect.counterpart` is the contact whose conversation was asked for. */
export const decryptMessage = async (
  keys: ContactKeys,
  me: Me,
  m: TMessage,
  expect: { counterpart?: string } = {},
): Promise<DecryptedMessage> => {
  const outgoing = m.sender_id === me.userId;
  const base: DecryptedMessage = {
    id: m.id,
    conversation_id: m.conversation_id,
    seq: m.seq,
    cursor: m.cursor,
    sender_id: m.sender_id,
    recipient_id: m.recipient_id,
    client_msg_id: m.client_msg_id,
    created_at: m.created_at,
    outgoing,
    counterpart_id: outgoing ? m.recipient_id : m.sender_id,
    version: 1,
  };
  const misplaced = misplacement(m, me.userId, expect.counterpart);
  // Refused before any key is fetched: a misplaced message must not pin a stranger's key either.
  if (misplaced) return { ...base, error: { code: 'misplaced', message: misplaced } };
  try {
    const opened = await openForMe(keys, me, {
      envelope: fromBase64(m.encrypted_blob),
      signature: fromBase64(m.signature),
      metadata: { senderId: m.sender_id, recipientId: m.recipient_id, clientMsgId: m.client_msg_id },
      createdAt: m.created_at,
    });
    // A chat-request note is never a message (domain separation, session/request-notes.ts).
    if (opened.payload.type === 'request_note')
      return { ...base, error: { code: 'invalid', message: 'a chat-request note is not a message' } };
    const { header } = opened;
    const signedCounterpart = header.senderId === me.userId ? header.recipientId : header.senderId;
    const gap = Math.abs(Date.parse(m.created_at) - header.timestamp);
    return {
      ...base,
      counterpart_id: signedCounterpart,
      sent_at: header.timestamp,
      server_time_differs: !(gap <= SERVER_TIME_TOLERANCE_MS),
      payload: opened.payload,
    };
  } catch (err) {
    if (err instanceof CryptoError) return { ...base, error: { code: err.code, message: err.message } };
    if (err instanceof LockboxApiError && err.code === 'not_found')
      return { ...base, error: { code: 'invalid', message: 'the sender has no published keys' } };
    if (err instanceof LockboxApiError) throw err;
    return { ...base, error: { code: 'invalid', message: (err as Error).message } };
  }
};
