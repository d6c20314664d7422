/** The message service's procedures: relationships, the ciphertext store, and lookups for realtime. */
import { mutation, query } from '../contract';
import { defineServiceContract } from '../service-contract';
import * as mls from './mls';
import * as s from './schemas';

export const messagesContract = {
  chatRequests: {
    send: mutation({
      access: 'user',
      summary:
        'Ask a user (by id or username) to connect, with an optional short note: `sealed_message` (sealed to the recipient, opaque to the server; what clients send) or the legacy plaintext `message` (the server can read it). If they already asked you, this accepts their request instead',
      input: s.ZSendChatRequestSchema,
      output: s.ZChatRequest,
      rest: { method: 'POST', path: '/chat-requests/send', status: 201 },
    }),
    incoming: query({
      access: 'user',
      summary: "Pending requests to the caller, newest first, with each sender's id and username",
      input: s.ZListChatRequestsSchema,
      output: s.ZIncomingChatRequestsResponseSchema,
      rest: { method: 'GET', path: '/chat-requests/incoming' },
    }),
    outgoing: query({
      access: 'user',
      summary: "The caller's pending requests, newest first",
      input: s.ZListChatRequestsSchema,
      output: s.ZOutgoingChatRequestsResponseSchema,
      rest: { method: 'GET', path: '/chat-requests/outgoing' },
    }),
    respond: mutation({
      access: 'user',
      summary: 'Accept or decline a pending request; only its recipient may answer',
      input: s.ZRespondChatRequestSchema,
      output: s.ZChatRequest,
      rest: { method: 'POST', path: '/chat-requests/respond' },
    }),
    cancel: mutation({
      access: 'user',
      summary: 'Withdraw a pending request; only its sender may',
      input: s.ZCancelChatRequestSchema,
      output: s.ZChatRequest,
      rest: { method: 'POST', path: '/chat-requests/{id}/cancel' },
    }),
  },
  contacts: {
    list: query({
      access: 'user',
      summary: "The caller's contacts (accepted requests), oldest first",
      input: s.ZListContactsSchema,
      output: s.ZContactsResponseSchema,
      rest: { method: 'GET', path: '/contacts' },
    }),
    blocked: query({
      access: 'user',
      summary: 'Users the caller has blocked',
      input: s.ZListContactsSchema,
      output: s.ZBlockedUsersResponseSchema,
      rest: { method: 'GET', path: '/contacts/blocked' },
    }),
    block: mutation({
      access: 'user',
      summary: 'Block a user: no requests or messages between you until you unblock (idempotent)',
      input: s.ZBlockRequestSchema,
      output: s.ZBlockStateSchema,
      rest: { method: 'POST', path: '/contacts/{user_id}/block' },
    }),
    unblock: mutation({
      access: 'user',
      summary: 'Lift a block (idempotent)',
      input: s.ZBlockRequestSchema,
      output: s.ZBlockStateSchema,
      rest: { method: 'POST', path: '/contacts/{user_id}/unblock' },
    }),
  },
  messages: {
    send: mutation({
      access: 'user',
      summary:
        'Store an envelope for a contact. The same client_msg_id again returns the original answer (201) and stores nothing',
      input: s.ZSendMessageRequestSchema,
      output: s.ZSendMessageResponseSchema,
      rest: { method: 'POST', path: '/messages/send', status: 201 },
    }),
    list: query({
      access: 'user',
      summary: "The caller's messages (sent and received) after a cursor, oldest first",
      input: s.ZMessagesAfterRequestSchema,
      output: s.ZMessagesPageSchema,
      rest: { method: 'GET', path: '/messages' },
    }),
    conversation: query({
      access: 'user',
      summary: 'One conversation, newest page first',
      input: s.ZConversationRequestSchema,
      output: s.ZConversationPageSchema,
      rest: { method: 'GET', path: '/messages/conversation/{contact_id}' },
    }),
    sendMls: mutation({
      access: 'user',
      summary:
        "Store an MLS message for a contact's conversation (MLS Delivery Service). kind=commit is accepted only for the conversation's current epoch, which it advances (the first commit for an epoch wins; others get 409 conflict naming the current epoch); its optional welcome is stored as the next stream item. The same client_msg_id again returns the original answer (201)",
      input: mls.ZSendMlsRequestSchema,
      output: mls.ZSendMlsResponseSchema,
      rest: { method: 'POST', path: '/messages/mls', status: 201 },
    }),
    mlsEpoch: query({
      access: 'user',
      summary:
        'The conversation with a contact and its current MLS epoch (the epoch the next commit must be made in)',
      input: mls.ZMlsEpochRequestSchema,
      output: mls.ZMlsEpochResponseSchema,
      rest: { method: 'GET', path: '/messages/mls/epoch/{contact_id}' },
    }),
    read: mutation({
      access: 'user',
      summary: 'Mark a conversation read up to a seq; the contact sees the receipt live',
      input: s.ZReadReceiptRequestSchema,
      output: s.ZReadReceiptSchema,
      rest: { method: 'POST', path: '/messages/read' },
    }),
  },
  internal: {
    messagesAfter: query({
      access: 'internal',
      summary: "A user's messages after a cursor, oldest first (realtime's resume)",
      input: s.ZInternalMessagesAfterSchema,
      output: s.ZMessagesPageSchema,
    }),
    headCursor: query({
      access: 'internal',
      summary: "A user's latest cursor (realtime: where a socket without ?after= starts)",
      input: s.ZInternalHeadCursorSchema,
      output: s.ZInternalHeadCursorResponseSchema,
    }),
    contactIds: query({
      access: 'internal',
      summary: "A user's contacts with no block either way (realtime's presence and typing)",
      input: s.ZInternalContactIdsSchema,
      output: s.ZInternalContactIdsResponseSchema,
    }),
  },
};

export type MessagesContract = typeof messagesContract;

/** The gateway sends `/messages/…`, `/chat-requests/…` and `/contacts/…` to the message service. */
export const messagesServiceContract = defineServiceContract('messages', {
  publicPrefixes: ['/messages', '/chat-requests', '/contacts'],
  tree: messagesContract,
});
