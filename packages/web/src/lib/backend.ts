/**
 * The seam between the app's state and the SDK: everything the chat screen
 * asks of LockBox, as plain calls. `sessionBackend` wires a LockboxSession
 * (IndexedDB store, the browser's WebSocket); the store's tests pass a fake.
 */
import {
  type CandidateSafetyNumberInfo,
  call,
  type HistoryPage,
  type IdentityChangedEvent,
  type KeyChangedEvent,
  type ListenHandlers,
  type LockboxSession,
  type RealtimeClient,
  type SafetyNumberInfo,
} from '@lockbox/client';
import type { TContact, TUser } from '@lockbox/contracts';
import type { BlockedPerson, IncomingRequest, Me, OutgoingRequest, Person } from '../state/types';

/** The SDK's live handlers, every one required: the chat store handles each kind of event. */
export type LiveHandlers = Required<ListenHandlers>;

export interface ConversationSummary {
  unread: number;
  lastAt?: string;
}

export interface ChatBackend {
  readonly me: Me;
  contacts(): Promise<TContact[]>;
  incoming(): Promise<IncomingRequest[]>;
  outgoing(): Promise<OutgoingRequest[]>;
  blocked(): Promise<BlockedPerson[]>;
  /** Unread count and newest message time, from ciphertext metadata only (nothing decrypted). */
  summary(contactId: string): Promise<ConversationSummary>;
  search(prefix: string): Promise<Person[]>;
  request(username: string, note?: string): Promise<void>;
  accept(requestId: string): Promise<void>;
  decline(requestId: string): Promise<void>;
  cancel(requestId: string): Promise<void>;
  block(userId: string): Promise<void>;
  unblock(userId: string): Promise<void>;
  history(contactId: string, before?: string): Promise<HistoryPage>;
  send(to: Person, text: string): Promise<{ message_id: string; seq: number; created_at: string }>;
  markRead(contactId: string, seq: number): Promise<void>;
  /** Best effort: false when not connected. */
  typing(contactId: string, typing: boolean): boolean;
  /** Starts the live connection; resolves to a stop function. */
  listen(handlers: LiveHandlers): Promise<() => Promise<void>>;
  onKeyChanged(fn: (e: KeyChangedEvent) => void): () => void;
  /** The server listed someone under a username that is not theirs (see IdentityChangedEvent). */
  onIdentityChanged(fn: (e: IdentityChangedEvent) => void): () => void;
  /** Checks the server's "this id is this username" (rejects, and fires onIdentityChanged, when it is a lie). */
  checkIdentity(user: TUser): Promise<void>;
  isVerified(contactId: string): Promise<boolean>;
  safetyNumber(contactId: string): Promise<SafetyNumberInfo>;
  /** The number over the directory's key as it is now, not accepted: shown first after a change. */
  candidateSafetyNumber(contactId: string): Promise<CandidateSafetyNumberInfo>;
  markVerified(contactId: string): Promise<void>;
  /** Accepts the new key; with `identityKey` (the candidate's), only exactly that key. */
  acceptNewKey(contactId: string, identityKey?: string): Promise<void>;
  signOut(): Promise<void>;
}

const HISTORY_PAGE = 30;
const SUMMARY_PAGE = 100;

export const sessionBackend = (session: LockboxSession): ChatBackend => {
  const account = session.user;
  if (!account) throw new Error('not signed in');
  const me: Me = { id: account.user_id, username: account.username };
  let live: RealtimeClient | undefined;

  return {
    me,
    contacts: () => session.contacts.list(),
    incoming: async () =>
      (await session.requests.incoming()).map((r) => ({
        id: r.id,
        from: r.from_user,
        note: r.note,
        at: r.created_at,
      })),
    outgoing: async () =>
      (await session.requests.outgoing()).map((r) => ({
        id: r.id,
        to: r.to_user,
        note: r.note,
        at: r.created_at,
      })),
    blocked: async () =>
      (await session.contacts.blocked()).map((u) => ({
        id: u.id,
        username: u.username,
        blockedAt: u.blocked_at,
      })),
    summary: async (contactId) => {
      const page = await call(() =>
        session.api.trpc.messages.conversation.query({ contact_id: contactId, limit: SUMMARY_PAGE }),
      );
      const unread = page.messages.filter(
        (m) => m.sender_id === contactId && m.seq > page.read_up_to.mine,
      ).length;
      const last = page.messages[page.messages.length - 1];
      return { unread, ...(last ? { lastAt: last.created_at } : {}) };
    },
    search: async (prefix) =>
      (await session.contacts.search(prefix, 20)).filter((u: TUser) => u.id !== me.id),
    request: async (username, note) => {
      await session.requests.send(username, note);
    },
    accept: async (id) => {
      await session.requests.respond(id, 'accept');
    },
    decline: async (id) => {
      await session.requests.respond(id, 'decline');
    },
    cancel: async (id) => {
      await session.requests.cancel(id);
    },
    block: async (userId) => {
      await session.contacts.block(userId);
    },
    unblock: async (userId) => {
      await session.contacts.unblock(userId);
    },
    history: (contactId, before) =>
      session.messages.historyPage(contactId, {
        limit: HISTORY_PAGE,
        ...(before !== undefined ? { before } : {}),
      }),
    send: (to, text) => session.messages.sendTo(to, text),
    markRead: async (contactId, seq) => {
      await session.messages.markRead(contactId, seq);
    },
    typing: (contactId, typing) => live?.send({ type: 'typing', data: { to: contactId, typing } }) ?? false,
    listen: async (h) => {
      const client = await session.live.listen(h);
      live = client;
      return async () => {
        live = undefined;
        await client.stop();
      };
    },
    onKeyChanged: (fn) => session.events.on('key_changed', fn),
    onIdentityChanged: (fn) => session.events.on('identity_changed', fn),
    checkIdentity: (user) => session.verification.checkIdentity(user),
    isVerified: async (contactId) => (await session.profile.pin(me.id, contactId))?.verified ?? false,
    safetyNumber: (contactId) => session.verification.safetyNumber(contactId),
    candidateSafetyNumber: (contactId) => session.verification.candidateSafetyNumber(contactId),
    markVerified: async (contactId) => {
      await session.verification.markVerified(contactId);
    },
    acceptNewKey: async (contactId, identityKey) => {
      await session.verification.acceptNewKey(contactId, identityKey);
    },
    signOut: async () => {
      await live?.stop();
      live = undefined;
      // Keys leave this browser even when the server cannot be told (offline): the vault still has them.
      await session.account.logout().catch(() => session.profile.signOut(me.id));
    },
  };
};
