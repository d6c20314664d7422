/**
 * The messages of a conversation, oldest at the top. Scrolling near the top
 * loads the page before (the view stays where it was); a new message scrolls
 * into view when the reader was already at the bottom or sent it.
 */
import { Fragment, useEffect, useLayoutEffect, useRef } from 'react';
import { dayKey, dayLabel } from '../lib/format';
import type { ChatMessage, Conversation } from '../state/types';
import { useChatStore } from '../state/use-chat';
import { MessageBubble } from './MessageBubble';

const NEAR_BOTTOM_PX = 120;
const NEAR_TOP_PX = 80;

export function MessageList(props: {
  contactId: string;
  contactName: string;
  conversation: Conversation | undefined;
}) {
  const { contactId, contactName, conversation } = props;
  const store = useChatStore();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ first?: string; last?: string; height: number; contactId?: string }>({
    height: 0,
  });
  const messages = conversation?.messages ?? [];
  const first = messages[0]?.key;
  const last = messages[messages.length - 1];

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const prev = previous.current;
    if (prev.contactId !== contactId) {
      el.scrollTop = el.scrollHeight;
    } else if (prev.first !== first && prev.last === last?.key) {
      // An older page came in above: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (prev.last !== last?.key && (atBottom.current || last?.outgoing)) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, last: last?.key, height: el.scrollHeight, contactId };
  }, [contactId, first, last?.key, last?.outgoing]);

  // A short first page may not fill the screen: then there is nothing to scroll, so load on.
  useEffect(() => {
    const el = scroller.current;
    if (
      !el ||
      conversation?.status !== 'ready' ||
      conversation.olderCursor === null ||
      conversation.loadingOlder
    )
      return;
    if (el.scrollHeight <= el.clientHeight) void store.loadOlder(contactId);
  }, [conversation?.status, conversation?.olderCursor, conversation?.loadingOlder, contactId, store]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (el.scrollTop < NEAR_TOP_PX) void store.loadOlder(contactId);
  };

  const lastOutgoing = [...messages].reverse().find((m) => m.outgoing && m.delivery === 'sent');

  return (
    <div className="messages" ref={scroller} onScroll={onScroll}>
      {(!conversation || conversation.status === 'loading') && messages.length === 0 && (
        <p className="muted center pad" role="status">
          <span className="spinner" aria-hidden="true" /> Decrypting messages…
        </p>
      )}
      {conversation?.status === 'error' && (
        <div className="banner banner-error" role="alert">
          {conversation.error}{' '}
          <button type="button" className="ghost small" onClick={() => store.retryConversation(contactId)}>
            Try again
          </button>
        </div>
      )}
      {conversation?.status === 'ready' && (
        <div className="history-edge">
          {conversation.olderCursor !== null ? (
            <button
              type="button"
              className="ghost small"
              disabled={conversation.loadingOlder}
              onClick={() => void store.loadOlder(contactId)}
            >
              {conversation.loadingOlder ? 'Loading earlier messages…' : 'Load earlier messages'}
            </button>
          ) : messages.length > 0 ? (
            <p className="muted small">
              This is the start of your conversation with {contactName}. Messages are end-to-end encrypted.
            </p>
          ) : null}
          {conversation.error && <p className="form-error">{conversation.error}</p>}
        </div>
      )}
      {conversation?.status === 'ready' && messages.length === 0 && (
        <div className="empty-conv">
          <p>No messages yet.</p>
          <p className="muted">Say hello — only you and {contactName} can read what you write here.</p>
        </div>
      )}
      <ol className="message-list" aria-label="Chat history">
        {messages.map((m, i) => (
          <Fragment key={m.key}>
            {dayKey(m.at) !== dayKey((messages[i - 1] as ChatMessage | undefined)?.at ?? '') && (
              <li className="day" aria-hidden="true">
                <span>{dayLabel(m.at)}</span>
              </li>
            )}
            <MessageBubble
              message={m}
              read={m.outgoing && m.seq !== undefined && m.seq <= (conversation?.theirReadUpTo ?? 0)}
              showState={m === lastOutgoing || m.delivery !== 'sent'}
              onRetry={() => void store.retry(contactId, m.key)}
              onDiscard={() => store.discard(contactId, m.key)}
            />
          </Fragment>
        ))}
      </ol>
    </div>
  );
}
