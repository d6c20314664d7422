/** One conversation: who, their status, the key-change warning, the messages and the composer. */
import { useState } from 'react';
import { HOME_HREF } from '../lib/route';
import { useAction, useChat, useChatStore } from '../state/use-chat';
import { Avatar } from './Avatar';
import { Composer } from './Composer';
import { IdentityChangeBanner, KeyChangeBanner } from './KeyChangeBanner';
import { MessageList } from './MessageList';
import { SafetyNumberDialog } from './SafetyNumberDialog';

export function ConversationView({ contactId }: { contactId: string }) {
  const store = useChatStore();
  const snap = useChat();
  const contact = snap.contacts.find((c) => c.id === contactId);
  const conversation = snap.conversations[contactId];
  const keyChange = snap.keyChanges[contactId];
  const identityChange = snap.identityChanges[contactId];
  const verified = snap.verified[contactId] ?? false;
  const [showSafety, setShowSafety] = useState(false);
  const block = useAction();

  if (!contact) {
    return (
      <section className="conversation" aria-label="Conversation">
        <header className="conv-head">
          <a className="back" href={HOME_HREF} aria-label="Back to chats">
            ‹
          </a>
          <div className="conv-title">
            <h2>{snap.loaded ? 'Not a contact' : 'Loading…'}</h2>
          </div>
        </header>
        {snap.loaded && (
          <p className="muted pad">
            This person is not one of your contacts (yet). Send them a chat request from the search box.
          </p>
        )}
      </section>
    );
  }

  const name = contact.username;
  const status = contact.blocked ? 'Blocked' : contact.online ? 'online' : 'offline';

  return (
    <section className="conversation" aria-label={`Conversation with ${name}`}>
      <header className="conv-head">
        <a className="back" href={HOME_HREF} aria-label="Back to chats">
          ‹
        </a>
        <Avatar name={name} online={contact.online && !contact.blocked} />
        <div className="conv-title">
          <h2>
            {name}
            {verified && (
              <span className="verified" title="You compared safety numbers with this contact">
                ✓ Verified
              </span>
            )}
          </h2>
          <span className="conv-status">{status}</span>
        </div>
        <div className="conv-actions">
          <button type="button" className="ghost small" onClick={() => setShowSafety(true)}>
            Safety number
          </button>
          {contact.blocked ? (
            <button
              type="button"
              className="ghost small"
              disabled={block.busy}
              onClick={() => void block.run(() => store.unblock(contact.id))}
            >
              Unblock
            </button>
          ) : (
            <button
              type="button"
              className="ghost small danger"
              disabled={block.busy}
              onClick={() => {
                if (window.confirm(`Block ${name}? Neither of you can send messages until you unblock.`))
                  void block.run(() => store.block(contact.id));
              }}
            >
              Block
            </button>
          )}
        </div>
      </header>
      {block.error && (
        <div className="banner banner-error" role="alert">
          {block.error}
        </div>
      )}
      {identityChange && (
        <IdentityChangeBanner
          contactName={name}
          change={identityChange}
          onReview={() => setShowSafety(true)}
        />
      )}
      {keyChange && !identityChange && (
        <KeyChangeBanner contactName={name} change={keyChange} onReview={() => setShowSafety(true)} />
      )}
      {!identityChange && (
        <MessageList contactId={contactId} contactName={name} conversation={conversation} />
      )}
      {contact.typing && !contact.blocked && (
        <p className="typing-line" aria-live="polite">
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {name} is typing…
        </p>
      )}
      {identityChange ? (
        <div className="composer-blocked">Nothing can be sent until you review who this is.</div>
      ) : contact.blocked ? (
        <div className="composer-blocked">You blocked {name}. Unblock them to send messages again.</div>
      ) : (
        <Composer contactId={contactId} contactName={name} />
      )}
      {showSafety && (
        <SafetyNumberDialog
          contactId={contactId}
          contactName={name}
          keyChanged={!!keyChange || !!identityChange}
          onClose={() => setShowSafety(false)}
        />
      )}
    </section>
  );
}
