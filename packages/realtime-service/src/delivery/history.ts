/**
 * What realtime needs from message-service, as an interface so the delivery
 * logic can be tested against an in-memory stream: a viewer's messages after a
 * cursor (the same rows `GET /messages?after=` returns), and contact lists.
 */

import type { ZMessageFrameData } from '@lockbox/contracts';
import type { z } from 'zod';

export type StoredMessage = z.infer<typeof ZMessageFrameData>;

export interface HistoryPage {
  messages: StoredMessage[];
  /** True when more messages follow this page. */
  has_more: boolean;
}

export interface HistorySource {
  messagesAfter(userId: string, after: string | null, limit: number): Promise<HistoryPage>;
  /** The viewer's latest cursor ('0' before the first message). */
  headCursor(userId: string): Promise<string>;
  contactsOf(userId: string): Promise<string[]>;
}
