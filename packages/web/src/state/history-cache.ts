/**
 * Pure edits of a cached conversation (the history infinite query's data):
 * live messages and read marks land in the newest page, so older pages stay
 * exactly as fetched and the next page's cursor is untouched.
 */
import { mergeMessages, settleSent } from './messages';
import type { HistoryData, ShownPage } from './server-queries';
import type { ChatMessage } from './types';

const editNewest = (data: HistoryData, edit: (page: ShownPage) => ShownPage): HistoryData => {
  const [newest, ...older] = data.pages;
  if (!newest) return data;
  return { ...data, pages: [edit(newest), ...older] };
};

/** Every loaded message once, oldest first (a newer page's copy wins). */
export const shownMessages = (data: HistoryData): ChatMessage[] =>
  data.pages.reduceRight<ChatMessage[]>((all, page) => mergeMessages(all, page.messages), []);

export const hasMessage = (data: HistoryData, id: string): boolean =>
  data.pages.some((p) => p.messages.some((m) => m.id === id));

export const addMessages = (data: HistoryData, arriving: ChatMessage[]): HistoryData =>
  editNewest(data, (p) => ({ ...p, messages: mergeMessages(p.messages, arriving) }));

/** The send's answer for a message the live copy already stands in for (same key). */
export const settleInPlace = (
  data: HistoryData,
  key: string,
  answer: { message_id: string; seq: number; created_at: string },
): HistoryData => editNewest(data, (p) => ({ ...p, messages: settleSent(p.messages, key, answer) }));

/** Raises read marks (never lowers them: a late receipt is older news). */
export const raiseReadMarks = (data: HistoryData, marks: { mine?: number; theirs?: number }): HistoryData =>
  editNewest(data, (p) => ({
    ...p,
    read_up_to: {
      mine: Math.max(p.read_up_to.mine, marks.mine ?? 0),
      theirs: Math.max(p.read_up_to.theirs, marks.theirs ?? 0),
    },
  }));

export const readMarks = (data: HistoryData) => data.pages[0]?.read_up_to ?? { mine: 0, theirs: 0 };

/** Cursor of the page before the oldest loaded one; null when the start is loaded. */
export const olderCursor = (data: HistoryData): string | null =>
  data.pages[data.pages.length - 1]?.next_cursor ?? null;
