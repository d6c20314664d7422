/**
 * The server's side of the chat as TanStack Query queries: one key per list,
 * a summary per contact, and each conversation's history as an infinite query
 * whose next page is the one before the oldest shown. The store reads the
 * cache; live events write into it (history-cache.ts) instead of refetching.
 */
import type { HistoryPage } from '@lockbox/client';
import { type InfiniteData, QueryClient } from '@tanstack/react-query';
import type { ChatBackend, ConversationSummary } from '../lib/backend';
import { toChatMessage } from './messages';
import type { ChatMessage } from './types';

/** What the server does not push (a request declined or cancelled by the other side) shows within this long. */
const REFRESH_MS = 30_000;

export const queryKeys = {
  /** Prefix of the four lists below: refreshing "the lists" refreshes all of them. */
  lists: ['lists'] as const,
  contacts: ['lists', 'contacts'] as const,
  incoming: ['lists', 'incoming'] as const,
  outgoing: ['lists', 'outgoing'] as const,
  blocked: ['lists', 'blocked'] as const,
  summaries: ['summary'] as const,
  summary: (contactId: string) => ['summary', contactId] as const,
  histories: ['history'] as const,
  history: (contactId: string) => ['history', contactId] as const,
};

/** A history page as shown: messages already turned into bubbles. */
export interface ShownPage {
  conversation_id: string;
  messages: ChatMessage[];
  next_cursor: string | null;
  read_up_to: HistoryPage['read_up_to'];
}

export type HistoryData = InfiniteData<ShownPage, string | undefined>;

/**
 * One client per signed-in session, dropped at sign-out. Nothing is garbage
 * collected (a conversation scrolled back stays as it was) and nothing retries
 * on its own: a failure shows at once, and the periodic refresh tries again.
 */
export const createChatQueryClient = () =>
  new QueryClient({
    defaultOptions: {
      // 'always': offline, a fetch fails at once (an error with Retry) instead of pausing until the browser says online.
      queries: { retry: false, gcTime: Number.POSITIVE_INFINITY, networkMode: 'always' },
      mutations: { networkMode: 'always' },
    },
  });

const listOptions = (queryKey: readonly string[], queryFn: () => Promise<unknown>) => ({
  queryKey,
  queryFn,
  refetchInterval: REFRESH_MS,
  // A hidden tab still learns of declined requests, as a visible one does.
  refetchIntervalInBackground: true,
  refetchOnWindowFocus: true,
  refetchOnReconnect: true,
});

export const listQueries = (backend: ChatBackend) => [
  listOptions(queryKeys.contacts, async () => {
    const contacts = await backend.contacts();
    // Who is who, before anyone is listed: a name the server moved to another account is
    // flagged (identity_changed event) before its conversation could show as from that name.
    await Promise.all(contacts.map((c) => backend.checkIdentity(c).catch(() => undefined)));
    return contacts;
  }),
  listOptions(queryKeys.incoming, () => backend.incoming()),
  listOptions(queryKeys.outgoing, () => backend.outgoing()),
  listOptions(queryKeys.blocked, () => backend.blocked()),
];

/** Fetched once per newly listed contact, then kept current by live events (not refetched). */
export const summaryQuery = (
  backend: ChatBackend,
  contactId: string,
  adjust: (s: ConversationSummary) => ConversationSummary,
) => ({
  queryKey: queryKeys.summary(contactId),
  queryFn: async (): Promise<ConversationSummary> => {
    try {
      return adjust(await backend.summary(contactId));
    } catch {
      // The count is a nicety; the conversation itself still loads.
      return { unread: 0 };
    }
  },
  staleTime: 0,
});

const showPage = (page: HistoryPage): ShownPage => ({
  conversation_id: page.conversation_id,
  messages: page.messages.map(toChatMessage),
  next_cursor: page.next_cursor,
  read_up_to: page.read_up_to,
});

export const historyQuery = (backend: ChatBackend, contactId: string) => ({
  queryKey: queryKeys.history(contactId),
  queryFn: async ({ pageParam }: { pageParam: string | undefined }) =>
    showPage(await backend.history(contactId, pageParam)),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (oldest: ShownPage) => oldest.next_cursor ?? undefined,
  // Live events keep a loaded conversation current; refetching every page would only cost.
  staleTime: Number.POSITIVE_INFINITY,
  refetchOnWindowFocus: false,
  refetchOnReconnect: false,
});

export const newestPage = async (backend: ChatBackend, contactId: string) =>
  showPage(await backend.history(contactId));

/** Edits a contact's cached summary (live messages, reads); nothing until it was fetched once. */
export const updateSummary = (
  queries: QueryClient,
  contactId: string,
  edit: (s: ConversationSummary) => ConversationSummary,
): void => {
  queries.setQueryData<ConversationSummary>(queryKeys.summary(contactId), (s) => s && edit(s));
};
