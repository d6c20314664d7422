/**
 * Open conversations: each one's history is an infinite query (the next page
 * is the one before the oldest shown); live messages, sends and read marks are
 * written into its cached pages. Messages still being sent stay local until
 * the server confirms them.
 */
import { InfiniteQueryObserver, type QueryClient } from '@tanstack/react-query';
import type { ChatBackend } from '../lib/backend';
import { describeError } from '../lib/errors';
import { addMessages, hasMessage, raiseReadMarks, settleInPlace, shownMessages } from './history-cache';
import type { LocalStore } from './local-state';
import { newestIncomingSeq } from './messages';
import {
  type HistoryData,
  historyQuery,
  newestPage,
  queryKeys,
  type ShownPage,
  updateSummary,
} from './server-queries';
import type { StoreEnv } from './store-env';
import type { ChatMessage, Person } from './types';

type HistoryObserver = InfiniteQueryObserver<
  ShownPage,
  Error,
  HistoryData,
  ReturnType<typeof queryKeys.history>,
  string | undefined
>;

export interface ConversationsDeps {
  backend: ChatBackend;
  env: StoreEnv;
  queries: QueryClient;
  local: LocalStore;
}

export class Conversations {
  readonly #deps: ConversationsDeps;
  readonly #observers = new Map<string, HistoryObserver>();
  readonly #readSent = new Map<string, number>();
  /** Which contact a server conversation id is with (receipts name only the conversation). */
  readonly #contactOf = new Map<string, string>();
  #localIds = 0;

  constructor(deps: ConversationsDeps) {
    this.#deps = deps;
  }

  noteConversationId(conversationId: string, contactId: string): void {
    this.#contactOf.set(conversationId, contactId);
  }

  contactOf(conversationId: string): string | undefined {
    return this.#contactOf.get(conversationId);
  }

  /** Whether this conversation was ever opened (loaded, loading or failed). */
  exists(contactId: string): boolean {
    return this.#deps.queries.getQueryState(queryKeys.history(contactId)) !== undefined;
  }

  data(contactId: string): HistoryData | undefined {
    return this.#deps.queries.getQueryData<HistoryData>(queryKeys.history(contactId));
  }

  #edit(contactId: string, edit: (data: HistoryData) => HistoryData): void {
    this.#deps.queries.setQueryData<HistoryData>(queryKeys.history(contactId), (d) => d && edit(d));
  }

  #observer(contactId: string): HistoryObserver {
    let observer = this.#observers.get(contactId);
    if (!observer) {
      observer = new InfiniteQueryObserver(this.#deps.queries, historyQuery(this.#deps.backend, contactId));
      // Subscribed for the session: the query stays active (and fetches its first page now).
      observer.subscribe(() => undefined);
      this.#observers.set(contactId, observer);
    }
    return observer;
  }

  /** The newest page, fetched once: a call while it loads shares that fetch. */
  #firstPage(contactId: string): Promise<HistoryData> {
    return this.#deps.queries.fetchInfiniteQuery(historyQuery(this.#deps.backend, contactId));
  }

  /** Loads the newest page (unless loaded), then marks what is shown read. */
  async loadFirstPage(contactId: string): Promise<void> {
    this.#observer(contactId);
    try {
      const newest = (await this.#firstPage(contactId)).pages[0];
      if (newest) this.noteConversationId(newest.conversation_id, contactId);
      await this.markRead(contactId);
    } catch {
      // Shown from the query's error state, with a retry.
    }
  }

  /** Tries the first page again after it failed. */
  retry(contactId: string): void {
    void this.loadFirstPage(contactId);
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(contactId: string): Promise<void> {
    const observer = this.#observers.get(contactId);
    const result = observer?.getCurrentResult();
    if (!observer || !result?.data || result.isFetching || !result.hasNextPage) return;
    await observer.fetchNextPage();
  }

  /** The newest page again (after a reconnect: read marks moved while we were away). */
  async refreshNewest(contactId: string): Promise<void> {
    try {
      const page = await newestPage(this.#deps.backend, contactId);
      this.#edit(contactId, (d) => raiseReadMarks(addMessages(d, page.messages), page.read_up_to));
    } catch {
      // The live stream still delivers; the next reconnect tries again.
    }
  }

  /** Marks what the contact sent as read, when that conversation is on screen. */
  async markRead(contactId: string): Promise<void> {
    const { backend, env, local, queries } = this.#deps;
    if (local.state.activeContactId !== contactId || !env.isVisible()) return;
    const data = this.data(contactId);
    if (!data) return;
    updateSummary(queries, contactId, (s) => (s.unread > 0 ? { ...s, unread: 0 } : s));
    const newest = newestIncomingSeq(shownMessages(data));
    const mine = data.pages[0]?.read_up_to.mine ?? 0;
    if (newest <= mine || newest <= (this.#readSent.get(contactId) ?? 0)) return;
    this.#readSent.set(contactId, newest);
    try {
      await backend.markRead(contactId, newest);
      this.#edit(contactId, (d) => raiseReadMarks(d, { mine: newest }));
    } catch {
      this.#readSent.delete(contactId);
    }
  }

  /** Read marks from a receipt; true when mine now cover everything the contact sent. */
  receipt(contactId: string, marks: { mine?: number; theirs?: number }): boolean {
    this.#edit(contactId, (d) => raiseReadMarks(d, marks));
    const data = this.data(contactId);
    return !data || newestIncomingSeq(shownMessages(data)) <= (marks.mine ?? 0);
  }

  /**
   * A stored message for this conversation (live, or our own coming back). Our
   * own copy arriving before the send's answer takes the oldest pending bubble
   * with the same text (keeping its key), so the bubble doesn't jump or double.
   */
  arrived(contactId: string, message: ChatMessage): void {
    const { local, queries } = this.#deps;
    const data = this.data(contactId);
    if (!data) {
      // Still loading its first page: the message joins it once it is in.
      if (queries.getQueryState(queryKeys.history(contactId))?.fetchStatus === 'fetching')
        void this.#firstPage(contactId).then(
          () => this.arrived(contactId, message),
          () => undefined,
        );
      return;
    }
    if (message.id && hasMessage(data, message.id)) {
      this.#edit(contactId, (d) => addMessages(d, [message]));
      return;
    }
    const pending =
      message.outgoing && message.text !== undefined
        ? local.state.pending[contactId]?.find((x) => x.delivery === 'sending' && x.text === message.text)
        : undefined;
    if (pending) local.setPending(contactId, (p) => p.filter((x) => x.key !== pending.key));
    this.#edit(contactId, (d) => addMessages(d, [pending ? { ...message, key: pending.key } : message]));
  }

  /** Sends a text: it shows at once as "sending", then "sent" (or "failed" with a retry); resolves to the server's time. */
  async send(to: Person, body: string): Promise<string | undefined> {
    const { backend, env, local } = this.#deps;
    const key = `local-${++this.#localIds}`;
    const shown: ChatMessage = {
      key,
      outgoing: true,
      at: env.now().toISOString(),
      text: body,
      delivery: 'sending',
    };
    local.setPending(to.id, (p) => [...p, shown]);
    try {
      const answer = await backend.send(to, body);
      this.#settle(to.id, key, answer);
      return answer.created_at;
    } catch (err) {
      local.setPending(to.id, (p) =>
        p.map((m) =>
          m.key === key ? { ...m, delivery: 'failed' as const, sendError: describeError(err) } : m,
        ),
      );
      return undefined;
    }
  }

  #settle(contactId: string, key: string, answer: { message_id: string; seq: number; created_at: string }) {
    const pending = this.#deps.local.state.pending[contactId]?.find((m) => m.key === key);
    if (!pending) {
      this.#edit(contactId, (d) => settleInPlace(d, key, answer));
      return;
    }
    const sent = {
      ...pending,
      id: answer.message_id,
      seq: answer.seq,
      at: answer.created_at,
      delivery: 'sent' as const,
    };
    if (!this.data(contactId)) {
      // No page yet to put it in: it stays here, sent, until the first page (which holds it) arrives.
      this.#deps.local.setPending(contactId, (p) => p.map((m) => (m.key === key ? sent : m)));
      return;
    }
    this.#deps.local.setPending(contactId, (p) => p.filter((m) => m.key !== key));
    // The live copy already in stands for it.
    this.#edit(contactId, (d) => (hasMessage(d, answer.message_id) ? d : addMessages(d, [sent])));
  }

  failed(contactId: string, key: string): ChatMessage | undefined {
    return this.#deps.local.state.pending[contactId]?.find((m) => m.key === key && m.delivery === 'failed');
  }

  discard(contactId: string, key: string): void {
    this.#deps.local.setPending(contactId, (p) => p.filter((m) => m.key !== key));
  }

  /** Drops everything shown of this conversation (a new key: it reloads so messages verify with it). */
  forget(contactId: string): void {
    this.#observers.get(contactId)?.destroy();
    this.#observers.delete(contactId);
    this.#deps.queries.removeQueries({ queryKey: queryKeys.history(contactId) });
    this.#deps.local.update((s) => {
      const { [contactId]: _gone, ...pending } = s.pending;
      return { ...s, pending };
    });
  }

  stop(): void {
    for (const o of this.#observers.values()) o.destroy();
    this.#observers.clear();
  }
}
