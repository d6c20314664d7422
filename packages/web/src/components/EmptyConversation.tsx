import { useChat } from '../state/use-chat';
import { Logo } from './Logo';

/** The right pane when no conversation is open. */
export function EmptyConversation() {
  const { contacts, loaded } = useChat();
  return (
    <div className="empty-main">
      <Logo size={56} />
      <h2>{contacts.length > 0 ? 'Pick a chat' : 'Welcome to LockBox'}</h2>
      <p>
        {!loaded
          ? 'Loading your chats…'
          : contacts.length > 0
            ? 'Choose someone on the left to read and send messages.'
            : 'Search for someone by username and send them a chat request. Once they accept, you can talk.'}
      </p>
      <p className="muted">Messages are encrypted on this device; the server only ever stores ciphertext.</p>
    </div>
  );
}
