/**
 * What the screens render: plain data, rebuilt immutably on every change so
 * React can compare by reference.
 */
import type { IdentityChangedEvent, KeyChangedEvent, RealtimeState, RequestNote } from '@lockbox/client';

export interface Me {
  id: string;
  username: string;
}

export interface Person {
  id: string;
  username: string;
}

export type DeliveryState = 'sending' | 'sent' | 'failed';

export interface ChatMessage {
  /** Stable React key: the message id, or a local id while it is being sent. */
  key: string;
  id?: string;
  seq?: number;
  outgoing: boolean;
  /**
   * ISO time shown: the sender's signed clock once verified (never the
   * server's word), the server's for a refused message, this device's while sending.
   */
  at: string;
  /** The server's time, when it is more than ten minutes from the signed one (a warning is shown). */
  serverTimeDiffers?: string;
  text?: string;
  /** A payload type this app cannot show (sent by a newer client). */
  unsupported?: string;
  /** Why the message was refused (bad signature, changed key…): then there is no text. */
  verifyError?: string;
  /** Outgoing only. */
  delivery?: DeliveryState;
  /** Why sending failed, in words. */
  sendError?: string;
}

export interface Conversation {
  contactId: string;
  /** Oldest first. */
  messages: ChatMessage[];
  /** Cursor of the page before the oldest loaded one; null when the start is loaded. */
  olderCursor: string | null;
  status: 'loading' | 'ready' | 'error';
  loadingOlder: boolean;
  error?: string;
  /** Highest seq the contact has read (read receipts on my messages). */
  theirReadUpTo: number;
  /** Highest seq I have marked read. */
  myReadUpTo: number;
}

export interface ContactView {
  id: string;
  username: string;
  blocked: boolean;
  online: boolean;
  typing: boolean;
  unread: number;
  /** Newest message time, for ordering the list. */
  lastAt?: string;
  since: string;
}

export interface IncomingRequest {
  id: string;
  from: Person;
  /** Opened and verified by the SDK: sealed text, a legacy unencrypted text, or refused (never shown as text). */
  note: RequestNote | null;
  at: string;
}

export interface OutgoingRequest {
  id: string;
  to: Person;
  note: RequestNote | null;
  at: string;
}

export interface BlockedPerson extends Person {
  blockedAt: string;
}

export interface ChatSnapshot {
  me: Me;
  /** Lists fetched at least once. */
  loaded: boolean;
  loadError?: string;
  connection: RealtimeState;
  /** The browser says it has no network. */
  offline: boolean;
  contacts: ContactView[];
  incoming: IncomingRequest[];
  outgoing: OutgoingRequest[];
  blocked: BlockedPerson[];
  conversations: Readonly<Record<string, Conversation>>;
  activeContactId: string | undefined;
  /** Contacts whose identity key changed since it was pinned, until the user accepts the new one. */
  keyChanges: Readonly<Record<string, KeyChangedEvent>>;
  /**
   * Contacts the server lists under a username that is not theirs (the name is pinned to
   * another account, or their key signs another name): their conversation stays hidden.
   */
  identityChanges: Readonly<Record<string, IdentityChangedEvent>>;
  /** Contacts whose safety number the user confirmed. */
  verified: Readonly<Record<string, boolean>>;
  /** The session ended elsewhere (signed out, revoked): sign in again. */
  ended: boolean;
}
