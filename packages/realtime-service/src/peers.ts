/**
 * The services realtime calls, through typed internal clients (contract types
 * only): message-service for history and contact lists, auth for the
 * revocation feed. Each call is bounded by a timeout.
 */
import type { AuthRouter, MessagesRouter } from '@lockbox/contracts';
import { createInternalClient } from '@lockbox/service-kit';
import type { HistorySource } from './delivery/history';

export const createHistorySource = (urls: string[], internalToken: string): HistorySource => {
  if (urls.length === 0)
    return {
      messagesAfter: async () => {
        throw new Error('message-service is off (MESSAGES_URLS=off)');
      },
      headCursor: async () => {
        throw new Error('message-service is off (MESSAGES_URLS=off)');
      },
      contactsOf: async () => [],
    };
  const messages = createInternalClient<MessagesRouter>({ urls, internalToken, timeoutMs: 5_000 });
  return {
    messagesAfter: (userId, after, limit) =>
      messages.internal.messagesAfter.query({
        user_id: userId,
        ...(after !== null ? { after } : {}),
        limit,
      }),
    headCursor: async (userId) => (await messages.internal.headCursor.query({ user_id: userId })).cursor,
    contactsOf: async (userId) => (await messages.internal.contactIds.query({ user_id: userId })).contact_ids,
  };
};

export const createRevocationFeed = (urls: string[], internalToken: string) => {
  const auth = createInternalClient<AuthRouter>({ urls, internalToken, timeoutMs: 3_000 });
  return (after: number) => auth.internal.revocationsSince.query({ after });
};
