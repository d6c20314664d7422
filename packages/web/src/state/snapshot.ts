/**
 * The screens' one view of the chat (ChatSnapshot), put together from the
 * query cache (lists, summaries, histories) and the tab's local state. Parts
 * whose inputs did not change keep their identity, so React can skip them.
 */
import type { TContact } from '@lockbox/contracts';
import type { QueryClient, QueryState } from '@tanstack/react-query';
import type { ConversationSummary } from '../lib/backend';
import { describeError } from '../lib/errors';
import { olderCursor, readMarks, shownMessages } from './history-cache';
import type { LocalState } from './local-state';
import { type HistoryData, queryKeys } from './server-queries';
import type {
  BlockedPerson,
  ChatMessage,
  ChatSnapshot,
  ContactView,
  Conversation,
  IncomingRequest,
  Me,
  OutgoingRequest,
} from './types';

const byActivity = (a: ContactView, b: ContactView) =>
  (b.lastAt ?? b.since).localeCompare(a.lastAt ?? a.since) || a.username.localeCompare(b.username);

const NO_MESSAGES: ChatMessage[] = [];

type HistoryState = QueryState<HistoryData, Error>;

/** Sends settled before their conversation's first page are kept until that page (which holds them) is in. */
const notYetShown = (pending: ChatMessage[], shown: ChatMessage[]): ChatMessage[] => {
  if (!pending.some((m) => m.id !== undefined)) return pending;
  const ids = new Set(shown.map((m) => m.id));
  return pending.filter((m) => m.id === undefined || !ids.has(m.id));
};

const conversationOf = (
  contactId: string,
  state: HistoryState,
  pending: ChatMessage[],
  shown: ChatMessage[],
): Conversation => {
  const data = state.data;
  const marks = data ? readMarks(data) : { mine: 0, theirs: 0 };
  const fetching = state.fetchStatus === 'fetching';
  const failed = state.status === 'error' ? describeError(state.error) : undefined;
  return {
    contactId,
    messages: pending.length > 0 ? [...shown, ...notYetShown(pending, shown)] : shown,
    olderCursor: data ? olderCursor(data) : null,
    status: data ? 'ready' : !fetching && failed ? 'error' : 'loading',
    loadingOlder: fetching && !!data && state.fetchMeta?.fetchMore?.direction === 'forward',
    ...(failed && !fetching ? { error: failed } : {}),
    theirReadUpTo: marks.theirs,
    myReadUpTo: marks.mine,
  };
};

export class SnapshotBuilder {
  readonly #me: Me;
  readonly #queries: QueryClient;
  /** Flattened pages per history data object: flattening again only when a page changed. */
  readonly #shown = new WeakMap<HistoryData, ChatMessage[]>();
  readonly #conversations = new Map<
    string,
    { state: HistoryState; pending: ChatMessage[]; view: Conversation }
  >();

  constructor(me: Me, queries: QueryClient) {
    this.#me = me;
    this.#queries = queries;
  }

  build(local: LocalState): ChatSnapshot {
    const q = this.#queries;
    const contacts = q.getQueryData<TContact[]>(queryKeys.contacts);
    const incoming = q.getQueryData<IncomingRequest[]>(queryKeys.incoming);
    const outgoing = q.getQueryData<OutgoingRequest[]>(queryKeys.outgoing);
    const blocked = q.getQueryData<BlockedPerson[]>(queryKeys.blocked);
    const loaded = !!(contacts && incoming && outgoing && blocked);
    const listError = [queryKeys.contacts, queryKeys.incoming, queryKeys.outgoing, queryKeys.blocked]
      .map((key) => q.getQueryState(key)?.error)
      .find((e) => e);
    return {
      me: this.#me,
      loaded,
      ...(!loaded && listError ? { loadError: describeError(listError) } : {}),
      connection: local.connection,
      offline: local.offline,
      // The lists show together the first time, as one load.
      contacts: loaded ? this.#contactViews(contacts, local) : [],
      incoming: loaded ? incoming : [],
      outgoing: loaded ? outgoing : [],
      blocked: loaded ? blocked : [],
      conversations: this.#conversationViews(local),
      activeContactId: local.activeContactId,
      keyChanges: local.keyChanges,
      identityChanges: local.identityChanges,
      verified: local.verified,
      ended: local.ended,
    };
  }

  #contactViews(contacts: TContact[], local: LocalState): ContactView[] {
    return contacts
      .map((c) => {
        const summary = this.#queries.getQueryData<ConversationSummary>(queryKeys.summary(c.id));
        return {
          id: c.id,
          username: c.username,
          blocked: c.blocked,
          since: c.since,
          online: local.online[c.id] ?? false,
          typing: local.typing[c.id] ?? false,
          unread: summary?.unread ?? 0,
          ...(summary?.lastAt ? { lastAt: summary.lastAt } : {}),
        };
      })
      .sort(byActivity);
  }

  #conversationViews(local: LocalState): Record<string, Conversation> {
    const views: Record<string, Conversation> = {};
    for (const query of this.#queries.getQueryCache().findAll({ queryKey: queryKeys.histories })) {
      const contactId = query.queryKey[1] as string;
      const state = query.state as HistoryState;
      const pending = local.pending[contactId] ?? NO_MESSAGES;
      const cached = this.#conversations.get(contactId);
      if (cached && cached.state === state && cached.pending === pending) {
        views[contactId] = cached.view;
        continue;
      }
      const view = conversationOf(contactId, state, pending, this.#shownOf(state.data));
      this.#conversations.set(contactId, { state, pending, view });
      views[contactId] = view;
    }
    return views;
  }

  #shownOf(data: HistoryData | undefined): ChatMessage[] {
    if (!data) return NO_MESSAGES;
    let shown = this.#shown.get(data);
    if (!shown) {
      shown = shownMessages(data);
      this.#shown.set(data, shown);
    }
    return shown;
  }
}
