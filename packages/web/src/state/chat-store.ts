/**
 * The signed-in chat: contacts, requests, conversations, presence, typing and
 * read marks, kept current from the live connection. React reads it through
 * `subscribe`/`getSnapshot` (useSyncExternalStore); screens call the actions,
 * which throw errors for the screen to word (lib/errors.ts).
 *
 * What the server does not push (a request declined or cancelled by the other
 * side) is picked up by a slow periodic refresh and after every reconnect.
 */
import type { DecryptedMessage, IdentityChangedEvent, KeyChangedEvent, RealtimeState } from '@lockbox/client';
import type { TContact } from '@lockbox/contracts';
import type { ChatBackend, LiveHandlers } from '../lib/backend';
import { describeError } from '../lib/errors';
import { mergeMessages, newestIncomingSeq, settleSent, toChatMessage } from './messages';
import type { ChatMessage, ChatSnapshot, ContactView, Conversation, Person } from './types';

export interface StoreEnv {
  now(): Date;
  isVisible(): boolean;
  isOnline(): boolean;
  /** Calls back when visibility or connectivity changes; returns the unsubscribe. */
  watch(onChange: () => void): () => void;
}

export const browserEnv: StoreEnv = {
  now: () => new Date(),
  isVisible: () => document.visibilityState === 'visible',
  isOnline: () => navigator.onLine,
  watch: (onChange) => {
    const events = ['visibilitychange', 'focus', 'online', 'offline'] as const;
    for (const e of events) window.addEventListener(e, onChange);
    document.addEventListener('visibilitychange', onChange);
    return () => {
      for (const e of events) window.removeEventListener(e, onChange);
      document.removeEventListener('visibilitychange', onChange);
    };
  },
};

/** A typing hint without a follow-up is dropped after this long. */
const TYPING_SHOWN_MS = 6_000;
/** Re-send "typing" at most this often while keys are being pressed. */
const TYPING_RESEND_MS = 3_000;
/** Send "stopped typing" after this long without a key. */
const TYPING_IDLE_MS = 4_000;
const REFRESH_MS = 30_000;

const byActivity = (a: ContactView, b: ContactView) =>
  (b.lastAt ?? b.since).localeCompare(a.lastAt ?? a.since) || a.username.localeCompare(b.username);

export class ChatStore {
  private snap: ChatSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly cleanups: Array<() => void> = [];
  private stopLive: (() => Promise<void>) | undefined;
  private readonly conversationIds = new Map<string, string>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly myTyping = new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> }>();
  private readonly readSent = new Map<string, number>();
  private localIds = 0;
  private openedOnce = false;
  private relistening = false;
  private stopped = false;

  constructor(
    private readonly backend: ChatBackend,
    private readonly env: StoreEnv = browserEnv,
  ) {
    this.snap = {
      me: backend.me,
      loaded: false,
      connection: 'connecting',
      offline: !env.isOnline(),
      contacts: [],
      incoming: [],
      outgoing: [],
      blocked: [],
      conversations: {},
      activeContactId: undefined,
      keyChanges: {},
      identityChanges: {},
      verified: {},
      ended: false,
    };
  }

  // ---- React's side ----------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => this.snap;

  private update(fn: (s: ChatSnapshot) => ChatSnapshot) {
    if (this.stopped) return;
    this.snap = fn(this.snap);
    for (const l of this.listeners) l();
  }

  private updateContact(id: string, fn: (c: ContactView) => ContactView) {
    this.update((s) => ({
      ...s,
      contacts: s.contacts.map((c) => (c.id === id ? fn(c) : c)).sort(byActivity),
    }));
  }

  private updateConversation(id: string, fn: (c: Conversation) => Conversation) {
    this.update((s) => {
      const current = s.conversations[id];
      if (!current) return s;
      return { ...s, conversations: { ...s.conversations, [id]: fn(current) } };
    });
  }

  // ---- lifecycle -------------------------------------------------------------

  async start(): Promise<void> {
    this.cleanups.push(this.backend.onKeyChanged((e) => this.keyChanged(e)));
    this.cleanups.push(this.backend.onIdentityChanged((e) => this.identityChanged(e)));
    this.cleanups.push(this.env.watch(() => this.environmentChanged()));
    const timer = setInterval(() => void this.refreshLists().catch(() => undefined), REFRESH_MS);
    this.cleanups.push(() => clearInterval(timer));
    try {
      await this.refreshLists();
    } catch (err) {
      this.update((s) => ({ ...s, loadError: describeError(err) }));
    }
    if (this.stopped) return;
    const stop = await this.backend.listen(this.live);
    if (this.stopped) await stop();
    else this.stopLive = stop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.cleanups.splice(0)) c();
    for (const t of this.typingTimers.values()) clearTimeout(t);
    for (const t of this.myTyping.values()) clearTimeout(t.idle);
    await this.stopLive?.();
  }

  /** Signs out: stops the live connection and removes this account's keys from the browser. */
  async signOut(): Promise<void> {
    await this.stop();
    await this.backend.signOut();
  }

  private environmentChanged() {
    const offline = !this.env.isOnline();
    if (offline !== this.snap.offline) {
      this.update((s) => ({ ...s, offline }));
      if (offline) this.forgetPresence();
      if (!offline) void this.refreshLists().catch(() => undefined);
    }
    const active = this.snap.activeContactId;
    if (active) void this.markRead(active);
  }

  // ---- lists -----------------------------------------------------------------

  /** Contacts, requests and blocks from the server; presence, typing and unread counts are kept. */
  async refreshLists(): Promise<void> {
    const [contacts, incoming, outgoing, blocked] = await Promise.all([
      this.backend.contacts(),
      this.backend.incoming(),
      this.backend.outgoing(),
      this.backend.blocked(),
    ]);
    // Who is who, before anyone is listed: a name the server moved to another account is
    // flagged (identity_changed event) before its conversation could show as from that name.
    await Promise.all(contacts.map((c) => this.backend.checkIdentity(c).catch(() => undefined)));
    const known = new Map(this.snap.contacts.map((c) => [c.id, c]));
    const fresh = contacts.filter((c) => !known.has(c.id));
    const wasLoaded = this.snap.loaded;
    for (const c of contacts) this.conversationIds.set(c.conversation_id, c.id);
    this.update((s) => ({
      ...s,
      loaded: true,
      loadError: undefined,
      incoming,
      outgoing,
      blocked,
      contacts: contacts.map((c) => this.contactView(c, known.get(c.id))).sort(byActivity),
    }));
    await Promise.all(fresh.map((c) => this.loadSummary(c.id)));
    // The server tells a socket who is online when it opens, not when a contact is added later.
    if (wasLoaded && fresh.length > 0) await this.relisten();
  }

  /** A new socket (resuming from the stored cursor): it is told which contacts are online now. */
  private async relisten() {
    if (this.stopped || !this.stopLive || this.relistening) return;
    this.relistening = true;
    try {
      await this.stopLive();
      this.stopLive = undefined;
      if (!this.stopped) this.stopLive = await this.backend.listen(this.live);
    } finally {
      this.relistening = false;
    }
  }

  private contactView(c: TContact, previous: ContactView | undefined): ContactView {
    return {
      id: c.id,
      username: c.username,
      blocked: c.blocked,
      since: c.since,
      online: previous?.online ?? false,
      typing: previous?.typing ?? false,
      unread: previous?.unread ?? 0,
      ...(previous?.lastAt ? { lastAt: previous.lastAt } : {}),
    };
  }

  private async loadSummary(contactId: string) {
    try {
      const summary = await this.backend.summary(contactId);
      this.updateContact(contactId, (c) => ({
        ...c,
        unread: this.snap.activeContactId === contactId && this.env.isVisible() ? 0 : summary.unread,
        ...(summary.lastAt ? { lastAt: summary.lastAt } : {}),
      }));
    } catch {
      // The count is a nicety; the conversation itself still loads.
    }
  }

  // ---- live events -----------------------------------------------------------

  private readonly live: LiveHandlers = {
    onMessage: (m) => this.messageArrived(m),
    onChatRequest: () => void this.refreshLists().catch(() => undefined),
    onChatRequestAccepted: () => void this.refreshLists().catch(() => undefined),
    onReceipt: (r) => this.receiptArrived(r),
    onTyping: ({ from, typing }) => this.typingArrived(from, typing),
    onPresence: ({ user_id, status }) =>
      this.updateContact(user_id, (c) => ({ ...c, online: status === 'online' })),
    onState: (state, detail) => this.connectionChanged(state, detail),
    onSessionEnded: () => this.update((s) => ({ ...s, ended: true })),
  };

  /** Presence is only known over a live socket: without one, nobody is shown online. */
  private forgetPresence() {
    if (this.snap.contacts.some((c) => c.online || c.typing))
      this.update((s) => ({
        ...s,
        contacts: s.contacts.map((c) => ({ ...c, online: false, typing: false })),
      }));
  }

  private connectionChanged(state: RealtimeState, _detail?: string) {
    this.update((s) => ({ ...s, connection: state }));
    // A new socket is told who is online now; anyone it does not name is offline.
    this.forgetPresence();
    if (state !== 'open') return;
    if (this.openedOnce) {
      // Back after a drop: messages replay by cursor, but requests and read marks do not.
      void this.refreshLists().catch(() => undefined);
      const active = this.snap.activeContactId;
      if (active) void this.refreshNewest(active);
    }
    this.openedOnce = true;
  }

  private messageArrived(m: DecryptedMessage) {
    // Between two other people: there is no conversation of mine to show it in.
    if (m.error?.code === 'misplaced') return;
    // Filed under the party the signed envelope names, never a server-given conversation.
    const contactId = m.counterpart_id;
    const message = toChatMessage(m);
    const known = this.snap.contacts.some((c) => c.id === contactId);
    const already = this.snap.conversations[contactId]?.messages.some((x) => x.id === m.id) ?? false;
    this.updateConversation(contactId, (c) => ({ ...c, messages: mergeMessages(c.messages, [message]) }));
    if (!known) {
      void this.refreshLists().catch(() => undefined);
      return;
    }
    this.updateContact(contactId, (c) => ({
      ...c,
      lastAt: m.created_at > (c.lastAt ?? '') ? m.created_at : c.lastAt,
      ...(m.outgoing || already ? {} : { unread: c.unread + 1, typing: false }),
    }));
    if (!m.outgoing) void this.markRead(contactId);
  }

  private receiptArrived(r: { conversation_id?: string; reader_id: string; up_to?: number }) {
    const contactId = r.conversation_id ? this.conversationIds.get(r.conversation_id) : undefined;
    if (!contactId || typeof r.up_to !== 'number') return;
    const upTo = r.up_to;
    if (r.reader_id === contactId) {
      this.updateConversation(contactId, (c) => ({ ...c, theirReadUpTo: Math.max(c.theirReadUpTo, upTo) }));
    } else if (r.reader_id === this.snap.me.id) {
      // Read on another of my devices.
      this.updateConversation(contactId, (c) => ({ ...c, myReadUpTo: Math.max(c.myReadUpTo, upTo) }));
      const conv = this.snap.conversations[contactId];
      if (!conv || newestIncomingSeq(conv.messages) <= upTo)
        this.updateContact(contactId, (c) => ({ ...c, unread: 0 }));
    }
  }

  private typingArrived(from: string, typing: boolean) {
    clearTimeout(this.typingTimers.get(from));
    this.updateContact(from, (c) => ({ ...c, typing }));
    if (typing)
      this.typingTimers.set(
        from,
        setTimeout(() => this.updateContact(from, (c) => ({ ...c, typing: false })), TYPING_SHOWN_MS),
      );
  }

  private keyChanged(e: KeyChangedEvent) {
    this.update((s) => ({
      ...s,
      keyChanges: { ...s.keyChanges, [e.userId]: e },
      verified: { ...s.verified, [e.userId]: false },
    }));
  }

  private identityChanged(e: IdentityChangedEvent) {
    this.update((s) => ({ ...s, identityChanges: { ...s.identityChanges, [e.userId]: e } }));
  }

  // ---- conversations ---------------------------------------------------------

  /** Shows a conversation (undefined: none), loading its newest page the first time. */
  openConversation(contactId: string | undefined): void {
    this.update((s) => ({ ...s, activeContactId: contactId }));
    if (!contactId) return;
    // A contact listed under a name that is not theirs: nothing of theirs is fetched or shown.
    if (this.snap.identityChanges[contactId]) return;
    if (!this.snap.conversations[contactId]) void this.loadFirstPage(contactId);
    else void this.markRead(contactId);
    void this.backend.isVerified(contactId).then(
      (verified) => this.update((s) => ({ ...s, verified: { ...s.verified, [contactId]: verified } })),
      () => undefined,
    );
  }

  private async loadFirstPage(contactId: string) {
    this.update((s) => ({
      ...s,
      conversations: {
        ...s.conversations,
        [contactId]: {
          contactId,
          messages: s.conversations[contactId]?.messages ?? [],
          olderCursor: null,
          status: 'loading',
          loadingOlder: false,
          theirReadUpTo: 0,
          myReadUpTo: 0,
        },
      },
    }));
    try {
      const page = await this.backend.history(contactId);
      this.conversationIds.set(page.conversation_id, contactId);
      this.updateConversation(contactId, (c) => ({
        ...c,
        status: 'ready',
        error: undefined,
        messages: mergeMessages(c.messages, page.messages.map(toChatMessage)),
        olderCursor: page.next_cursor,
        theirReadUpTo: Math.max(c.theirReadUpTo, page.read_up_to.theirs),
        myReadUpTo: Math.max(c.myReadUpTo, page.read_up_to.mine),
      }));
      await this.markRead(contactId);
    } catch (err) {
      this.updateConversation(contactId, (c) => ({ ...c, status: 'error', error: describeError(err) }));
    }
  }

  /** Tries the first page again after it failed. */
  retryConversation(contactId: string): void {
    void this.loadFirstPage(contactId);
  }

  /** The newest page again (after a reconnect: read marks moved while we were away). */
  private async refreshNewest(contactId: string) {
    try {
      const page = await this.backend.history(contactId);
      this.updateConversation(contactId, (c) => ({
        ...c,
        messages: mergeMessages(c.messages, page.messages.map(toChatMessage)),
        theirReadUpTo: Math.max(c.theirReadUpTo, page.read_up_to.theirs),
        myReadUpTo: Math.max(c.myReadUpTo, page.read_up_to.mine),
      }));
    } catch {
      // The live stream still delivers; the next reconnect tries again.
    }
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(contactId: string): Promise<void> {
    const conv = this.snap.conversations[contactId];
    if (conv?.status !== 'ready' || conv.loadingOlder || conv.olderCursor === null) return;
    const before = conv.olderCursor;
    this.updateConversation(contactId, (c) => ({ ...c, loadingOlder: true }));
    try {
      const page = await this.backend.history(contactId, before);
      this.updateConversation(contactId, (c) => ({
        ...c,
        loadingOlder: false,
        error: undefined,
        messages: mergeMessages(c.messages, page.messages.map(toChatMessage)),
        olderCursor: page.next_cursor,
      }));
    } catch (err) {
      this.updateConversation(contactId, (c) => ({ ...c, loadingOlder: false, error: describeError(err) }));
    }
  }

  /** Marks what the contact sent as read, when that conversation is on screen. */
  async markRead(contactId: string): Promise<void> {
    if (this.snap.activeContactId !== contactId || !this.env.isVisible()) return;
    const conv = this.snap.conversations[contactId];
    if (conv?.status !== 'ready') return;
    const contact = this.snap.contacts.find((c) => c.id === contactId);
    if (contact && contact.unread > 0) this.updateContact(contactId, (c) => ({ ...c, unread: 0 }));
    const newest = newestIncomingSeq(conv.messages);
    if (newest <= conv.myReadUpTo || newest <= (this.readSent.get(contactId) ?? 0)) return;
    this.readSent.set(contactId, newest);
    try {
      await this.backend.markRead(contactId, newest);
      this.updateConversation(contactId, (c) => ({ ...c, myReadUpTo: Math.max(c.myReadUpTo, newest) }));
    } catch {
      this.readSent.delete(contactId);
    }
  }

  // ---- sending ---------------------------------------------------------------

  /** Sends a text: it shows at once as "sending", then "sent" (or "failed" with a retry). */
  async send(contactId: string, text: string): Promise<void> {
    const body = text.trim();
    if (!body) return;
    const contact = this.snap.contacts.find((c) => c.id === contactId);
    if (!contact) throw new Error('not a contact');
    this.stopTyping(contactId);
    const key = `local-${++this.localIds}`;
    const pending: ChatMessage = {
      key,
      outgoing: true,
      at: this.env.now().toISOString(),
      text: body,
      delivery: 'sending',
    };
    this.updateConversation(contactId, (c) => ({ ...c, messages: [...c.messages, pending] }));
    try {
      const answer = await this.backend.send({ id: contact.id, username: contact.username }, body);
      this.updateConversation(contactId, (c) => ({ ...c, messages: settleSent(c.messages, key, answer) }));
      this.updateContact(contactId, (c) => ({ ...c, lastAt: answer.created_at }));
    } catch (err) {
      this.updateConversation(contactId, (c) => ({
        ...c,
        messages: c.messages.map((m) =>
          m.key === key ? { ...m, delivery: 'failed' as const, sendError: describeError(err) } : m,
        ),
      }));
    }
  }

  /** Sends a failed message again (as a new message: the failed copy goes away). */
  async retry(contactId: string, key: string): Promise<void> {
    const failed = this.snap.conversations[contactId]?.messages.find((m) => m.key === key);
    if (!failed?.text || failed.delivery !== 'failed') return;
    this.discard(contactId, key);
    await this.send(contactId, failed.text);
  }

  discard(contactId: string, key: string): void {
    this.updateConversation(contactId, (c) => ({ ...c, messages: c.messages.filter((m) => m.key !== key) }));
  }

  /** The user pressed a key in the composer: tell the contact (throttled), and stop after a pause. */
  noteTyping(contactId: string): void {
    const now = Date.now();
    const mine = this.myTyping.get(contactId);
    if (mine) clearTimeout(mine.idle);
    const due = !mine || now - mine.sentAt > TYPING_RESEND_MS;
    const sentAt = due && this.backend.typing(contactId, true) ? now : (mine?.sentAt ?? 0);
    this.myTyping.set(contactId, {
      sentAt,
      idle: setTimeout(() => this.stopTyping(contactId), TYPING_IDLE_MS),
    });
  }

  stopTyping(contactId: string): void {
    const mine = this.myTyping.get(contactId);
    if (!mine) return;
    clearTimeout(mine.idle);
    this.myTyping.delete(contactId);
    if (mine.sentAt > 0) this.backend.typing(contactId, false);
  }

  // ---- people ----------------------------------------------------------------

  search(prefix: string) {
    return this.backend.search(prefix);
  }

  /** Why the server's "this id is this username" is a lie (undefined: it holds, as far as this device knows). */
  async identityProblem(person: Person): Promise<string | undefined> {
    try {
      await this.backend.checkIdentity(person);
      return undefined;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'identity_changed') return `not the ${person.username} you know: another account`;
      if (code === 'identity_mismatch')
        return `not ${person.username}: this account's key names someone else`;
      return undefined;
    }
  }

  async requestChat(username: string, note?: string): Promise<void> {
    await this.backend.request(username, note?.trim() || undefined);
    await this.refreshLists();
  }

  async accept(requestId: string): Promise<void> {
    await this.backend.accept(requestId);
    await this.refreshLists();
  }

  async decline(requestId: string): Promise<void> {
    await this.backend.decline(requestId);
    await this.refreshLists();
  }

  async cancel(requestId: string): Promise<void> {
    await this.backend.cancel(requestId);
    await this.refreshLists();
  }

  /** Blocks a user, and settles any request between us (a block alone leaves them pending). */
  async block(userId: string): Promise<void> {
    await this.backend.block(userId);
    const settle = [
      ...this.snap.incoming.filter((r) => r.from.id === userId).map((r) => this.backend.decline(r.id)),
      ...this.snap.outgoing.filter((r) => r.to.id === userId).map((r) => this.backend.cancel(r.id)),
    ];
    await Promise.allSettled(settle);
    await this.refreshLists();
  }

  async unblock(userId: string): Promise<void> {
    await this.backend.unblock(userId);
    await this.refreshLists();
  }

  // ---- safety numbers ----------------------------------------------------------

  safetyNumber(contactId: string) {
    return this.backend.safetyNumber(contactId);
  }

  async markVerified(contactId: string): Promise<void> {
    await this.backend.markVerified(contactId);
    this.update((s) => ({ ...s, verified: { ...s.verified, [contactId]: true } }));
  }

  candidateSafetyNumber(contactId: string) {
    return this.backend.candidateSafetyNumber(contactId);
  }

  /**
   * Trusts the contact's new key (exactly `identityKey`, the one whose number was shown);
   * the conversation reloads so messages signed with it verify.
   */
  async acceptNewKey(contactId: string, identityKey?: string): Promise<void> {
    await this.backend.acceptNewKey(contactId, identityKey);
    this.update((s) => {
      const { [contactId]: _gone, ...keyChanges } = s.keyChanges;
      const { [contactId]: _moved, ...identityChanges } = s.identityChanges;
      const { [contactId]: _old, ...conversations } = s.conversations;
      return {
        ...s,
        keyChanges,
        identityChanges,
        conversations,
        verified: { ...s.verified, [contactId]: false },
      };
    });
    if (this.snap.activeContactId === contactId) void this.loadFirstPage(contactId);
  }
}
