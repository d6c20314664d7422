/** Database rows and their wire shapes (API.md field names). */
import { cursorToWire, type TChatRequest, type TMessage, type TMlsItemInfo } from '@lockbox/contracts';

/** Both engines hand timestamptz back as Date; the wire wants ISO 8601. */
export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

export interface ChatRequestRow {
  id: string;
  from_user_id: string;
  to_user_id: string;
  status: TChatRequest['status'];
  message: string | null;
  sealed_note_blob: string | null;
  sealed_note_signature: string | null;
  created_at: Date;
  responded_at: Date | null;
}

export const CHAT_REQUEST_COLUMNS =
  'id, from_user_id, to_user_id, status, message, sealed_note_blob, sealed_note_signature, created_at, responded_at';

export const toChatRequest = (r: ChatRequestRow): TChatRequest => ({
  id: r.id,
  from_user_id: r.from_user_id,
  to_user_id: r.to_user_id,
  status: r.status,
  message: r.message,
  sealed_message:
    r.sealed_note_blob !== null && r.sealed_note_signature !== null
      ? { encrypted_blob: r.sealed_note_blob, signature: r.sealed_note_signature }
      : null,
  created_at: iso(r.created_at),
  responded_at: r.responded_at ? iso(r.responded_at) : null,
});

/** A message row with the viewer's own cursor already chosen (`cursor`). */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number | string;
  cursor: number | string;
  sender_id: string;
  recipient_id: string;
  client_msg_id: string;
  encrypted_blob: string;
  signature: string;
  sender_public_key: string | null;
  created_at: Date;
  /** Both NULL for a v1 envelope (migrations/005_mls_delivery.sql). */
  mls_kind: TMlsItemInfo['kind'] | null;
  mls_epoch: number | string | null;
}

export const MESSAGE_COLUMNS =
  'id, conversation_id, seq, sender_id, recipient_id, client_msg_id, encrypted_blob, signature, sender_public_key, created_at, mls_kind, mls_epoch';

export const toMessage = (r: MessageRow): TMessage => ({
  id: r.id,
  conversation_id: r.conversation_id,
  seq: Number(r.seq),
  cursor: cursorToWire(Number(r.cursor)),
  sender_id: r.sender_id,
  recipient_id: r.recipient_id,
  client_msg_id: r.client_msg_id,
  encrypted_blob: r.encrypted_blob,
  signature: r.signature,
  ...(r.sender_public_key !== null ? { sender_public_key: r.sender_public_key } : {}),
  created_at: iso(r.created_at),
  ...(r.mls_kind !== null ? { mls: { kind: r.mls_kind, epoch: Number(r.mls_epoch) } } : {}),
});
