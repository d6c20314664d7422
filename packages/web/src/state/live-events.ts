/**
 * The live connection's events, applied to the query cache (messages, read
 * marks, unread counts) or, for what the server does not push in full
 * (requests, a contact added), by fetching the lists again.
 */
import type { DecryptedMessage, RealtimeState } from '@lockbox/client';
import type { LiveHandlers } from '../lib/backend';
import type { ChatStore } from './chat-store';
import type { LocalStore } from './local-state';
import { toChatMessage } from './messages';
import { updateSummary } from './server-queries';
import type { TypingHints } from './typing';

export const liveHandlers = (store: ChatStore, local: LocalStore, typing: TypingHints): LiveHandlers => {
  const refresh = () => void store.refreshLists().catch(() => undefined);
  const conversations = store.conversations;
  let openedOnce = false;

  const messageArrived = (m: DecryptedMessage) => {
    // Between two other people: there is no conversation of mine to show it in.
    if (m.error?.code === 'misplaced') return;
    // Filed under the party the signed envelope names, never a server-given conversation.
    const contactId = m.counterpart_id;
    const already = conversations.data(contactId)?.pages.some((p) => p.messages.some((x) => x.id === m.id));
    conversations.arrived(contactId, toChatMessage(m));
    if (!store.isKnown(contactId)) {
      refresh();
      return;
    }
    updateSummary(store.queries, contactId, (s) => ({
      ...s,
      lastAt: m.created_at > (s.lastAt ?? '') ? m.created_at : s.lastAt,
      ...(m.outgoing || already ? {} : { unread: s.unread + 1 }),
    }));
    if (!m.outgoing && !already) typing.arrived(contactId, false);
    if (!m.outgoing) void conversations.markRead(contactId);
  };

  const receiptArrived = (r: { conversation_id?: string; reader_id: string; up_to?: number }) => {
    const contactId = r.conversation_id ? conversations.contactOf(r.conversation_id) : undefined;
    if (!contactId || typeof r.up_to !== 'number') return;
    if (r.reader_id === contactId) {
      conversations.receipt(contactId, { theirs: r.up_to });
    } else if (r.reader_id === store.me.id) {
      // Read on another of my devices.
      if (conversations.receipt(contactId, { mine: r.up_to }))
        updateSummary(store.queries, contactId, (s) => ({ ...s, unread: 0 }));
    }
  };

  const connectionChanged = (state: RealtimeState) => {
    local.update((s) => ({ ...s, connection: state }));
    // A new socket is told who is online now; anyone it does not name is offline.
    local.forgetPresence();
    if (state !== 'open') return;
    if (openedOnce) {
      // Back after a drop: messages replay by cursor, but requests and read marks do not.
      refresh();
      const active = local.state.activeContactId;
      if (active) void conversations.refreshNewest(active);
    }
    openedOnce = true;
  };

  return {
    onMessage: messageArrived,
    onChatRequest: refresh,
    onChatRequestAccepted: refresh,
    onReceipt: receiptArrived,
    onTyping: ({ from, typing: on }) => {
      if (store.isKnown(from)) typing.arrived(from, on);
    },
    onPresence: ({ user_id, status }) => {
      if (store.isKnown(user_id))
        local.update((s) => ({ ...s, online: { ...s.online, [user_id]: status === 'online' } }));
    },
    onState: (state) => connectionChanged(state),
    onSessionEnded: () => local.update((s) => ({ ...s, ended: true })),
  };
};
