/**
 * The signed-in chat: contacts, requests, conversations, presence, typing and
 * read marks, kept current from the live connection. React reads it through
 * `subscribe`/`getSnapshot` (useSyncExternalStore); screens call the actions,
 * which throw errors for the screen to word (lib/errors.ts).
 *
 * The server's data is a TanStack Query cache (server-queries.ts): it refetches
 * the lists periodically, on focus and on reconnect, which is how what the
 * server does not push (a request declined or cancelled by the other side)
 * shows up. Live events write into that cache (live-events.ts); what only this
 * tab knows is in a small local store (local-state.ts).
 */
import type { TContact } from '@lockbox/contracts';
import { hashKey, type Query, type QueryClient, type QueryKey, QueryObserver } from '@tanstack/react-query';
import type { ChatBackend, LiveHandlers } from '../lib/backend';
import { Conversations } from './conversations';
import { liveHandlers } from './live-events';
import { initialLocalState, LocalStore } from './local-state';
import { PeopleActions } from './people-actions';
import { createChatQueryClient, listQueries, queryKeys, summaryQuery } from './server-queries';
import { SnapshotBuilder } from './snapshot';
import { browserEnv, type StoreEnv } from './store-env';
import type { ChatSnapshot, ContactView } from './types';
import { TypingHints } from './typing';

export { browserEnv, type StoreEnv } from './store-env';

const CONTACTS_HASH = hashKey(queryKeys.contacts);

export class ChatStore extends PeopleActions {
  readonly #env: StoreEnv;
  readonly #local: LocalStore;
  readonly #snapshots: SnapshotBuilder;
  readonly #typing: TypingHints;
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: Array<() => void> = [];
  #snap: ChatSnapshot | undefined;
  #stopLive: (() => Promise<void>) | undefined;
  /** Contacts listed so far (undefined before the first list): who is new in the next one. */
  #known: Set<string> | undefined;
  /** Summaries of newly listed contacts, and the new socket that tells their presence. */
  #settling: Promise<void> = Promise.resolve();
  #relistening = false;
  readonly #live: LiveHandlers;
  #stopped = false;
  readonly conversations: Conversations;

  constructor(
    backend: ChatBackend,
    env: StoreEnv = browserEnv,
    queries: QueryClient = createChatQueryClient(),
  ) {
    const local = new LocalStore(initialLocalState(!env.isOnline()));
    super(backend, queries, local);
    this.#env = env;
    this.#local = local;
    this.#snapshots = new SnapshotBuilder(backend.me, queries);
    this.#typing = new TypingHints(local, backend);
    this.conversations = new Conversations({ backend, env, queries, local });
    this.#live = liveHandlers(this, local, this.#typing);
    local.subscribe(() => this.#changed());
  }

  // ---- React's side ----------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => {
    this.#snap ??= this.#snapshots.build(this.#local.state);
    return this.#snap;
  };

  #changed() {
    if (this.#stopped) return;
    this.#snap = undefined;
    for (const l of this.#listeners) l();
  }

  // ---- lifecycle -------------------------------------------------------------

  async start(): Promise<void> {
    const { backend, queries } = this;
    this.#cleanups.push(backend.onKeyChanged((e) => this.keyChanged(e)));
    this.#cleanups.push(backend.onIdentityChanged((e) => this.identityChanged(e)));
    this.#cleanups.push(this.#env.watch(() => this.#environmentChanged()));
    this.#cleanups.push(queries.getQueryCache().subscribe((event) => this.#cacheChanged(event.query, event)));
    queries.mount();
    this.#cleanups.push(() => queries.unmount());
    const lists = listQueries(backend);
    for (const options of lists) {
      // Subscribed for the session: each list fetches now, then refreshes on its own schedule.
      const observer = new QueryObserver<unknown, Error, unknown, QueryKey>(queries, options);
      this.#cleanups.push(observer.subscribe(() => undefined));
    }
    await Promise.all(lists.map((options) => queries.fetchQuery(options).catch(() => undefined)));
    await this.#settling;
    if (this.#stopped) return;
    const stop = await backend.listen(this.#live);
    if (this.#stopped) await stop();
    else this.#stopLive = stop;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#local.close();
    for (const c of this.#cleanups.splice(0)) c();
    this.#typing.stop();
    this.conversations.stop();
    this.queries.clear();
    await this.#stopLive?.();
  }

  /** Signs out: stops the live connection and removes this account's keys from the browser. */
  async signOut(): Promise<void> {
    await this.stop();
    await this.backend.signOut();
  }

  #environmentChanged() {
    const offline = !this.#env.isOnline();
    if (offline !== this.#local.state.offline) {
      this.#local.update((s) => ({ ...s, offline }));
      // Back online, the lists refetch on their own (refetchOnReconnect).
      if (offline) this.#local.forgetPresence();
    }
    const active = this.#local.state.activeContactId;
    if (active) void this.conversations.markRead(active);
  }

  // ---- lists -----------------------------------------------------------------

  /** Contacts, requests and blocks from the server again; presence, typing and unread counts are kept. */
  override async refreshLists(): Promise<void> {
    await this.queries.invalidateQueries({ queryKey: queryKeys.lists }, { throwOnError: true });
    await this.#settling;
  }

  #cacheChanged(query: Query, event: { type: string; action?: { type: string; manual?: boolean } }) {
    if (event.type !== 'updated' && event.type !== 'added' && event.type !== 'removed') return;
    const fetched = event.type === 'updated' && event.action?.type === 'success' && !event.action.manual;
    if (fetched && query.queryHash === CONTACTS_HASH)
      this.#contactsListed(this.queries.getQueryData<TContact[]>(queryKeys.contacts) ?? []);
    this.#changed();
  }

  #contactsListed(contacts: TContact[]) {
    const known = this.#known;
    const fresh = contacts.filter((c) => !known?.has(c.id));
    this.#known = new Set(contacts.map((c) => c.id));
    for (const c of contacts) this.conversations.noteConversationId(c.conversation_id, c.id);
    if (fresh.length === 0) return;
    const summaries = Promise.all(fresh.map((c) => this.queries.fetchQuery(this.#summaryQuery(c.id)))).catch(
      () => undefined, // cancelled: the session stopped
    );
    // The server tells a socket who is online when it opens, not when a contact is added later.
    this.#settling = summaries.then(() => (known ? this.#relisten() : undefined));
  }

  #summaryQuery(contactId: string) {
    // Already on screen: what it holds is being read now.
    return summaryQuery(this.backend, contactId, (s) =>
      this.#local.state.activeContactId === contactId && this.#env.isVisible() ? { ...s, unread: 0 } : s,
    );
  }

  /** A new socket (resuming from the stored cursor): it is told which contacts are online now. */
  async #relisten() {
    if (this.#stopped || !this.#stopLive || this.#relistening) return;
    this.#relistening = true;
    try {
      await this.#stopLive();
      this.#stopLive = undefined;
      if (!this.#stopped) this.#stopLive = await this.backend.listen(this.#live);
    } finally {
      this.#relistening = false;
    }
  }

  /** A listed contact (undefined: not one of mine). */
  contact(contactId: string): ContactView | undefined {
    return this.getSnapshot().contacts.find((c) => c.id === contactId);
  }

  isKnown(contactId: string): boolean {
    return this.#known?.has(contactId) ?? false;
  }

  // ---- conversations ---------------------------------------------------------

  /** Shows a conversation (undefined: none), loading its newest page the first time. */
  openConversation(contactId: string | undefined): void {
    this.#local.update((s) => ({ ...s, activeContactId: contactId }));
    if (!contactId) return;
    // A contact listed under a name that is not theirs: nothing of theirs is fetched or shown.
    if (this.#local.state.identityChanges[contactId]) return;
    if (!this.conversations.exists(contactId)) void this.conversations.loadFirstPage(contactId);
    else void this.conversations.markRead(contactId);
    void this.backend.isVerified(contactId).then(
      (verified) => this.#local.update((s) => ({ ...s, verified: { ...s.verified, [contactId]: verified } })),
      () => undefined,
    );
  }

  /** Tries the first page again after it failed. */
  retryConversation(contactId: string): void {
    this.conversations.retry(contactId);
  }

  /** Loads the page before the oldest message shown. */
  loadOlder(contactId: string): Promise<void> {
    return this.conversations.loadOlder(contactId);
  }

  /** Marks what the contact sent as read, when that conversation is on screen. */
  markRead(contactId: string): Promise<void> {
    return this.conversations.markRead(contactId);
  }

  // ---- sending ---------------------------------------------------------------

  /** Sends a text: it shows at once as "sending", then "sent" (or "failed" with a retry). */
  async send(contactId: string, text: string): Promise<void> {
    const body = text.trim();
    if (!body) return;
    const contact = this.contact(contactId);
    if (!contact) throw new Error('not a contact');
    this.#typing.stopMine(contactId);
    const at = await this.conversations.send({ id: contact.id, username: contact.username }, body);
    if (at) this.setLastAt(contactId, at);
  }

  /** Sends a failed message again (as a new message: the failed copy goes away). */
  async retry(contactId: string, key: string): Promise<void> {
    const failed = this.conversations.failed(contactId, key);
    if (!failed?.text) return;
    this.discard(contactId, key);
    await this.send(contactId, failed.text);
  }

  discard(contactId: string, key: string): void {
    this.conversations.discard(contactId, key);
  }

  /** The user pressed a key in the composer: tell the contact (throttled), and stop after a pause. */
  noteTyping(contactId: string): void {
    this.#typing.noteMine(contactId);
  }

  stopTyping(contactId: string): void {
    this.#typing.stopMine(contactId);
  }
}
