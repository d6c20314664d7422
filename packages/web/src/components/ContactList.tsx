/** The chats: who is online, who is typing, how many unread. Newest activity first. */
import { shortWhen } from '../lib/format';
import { chatHref } from '../lib/route';
import type { ContactView } from '../state/types';
import { useChat } from '../state/use-chat';
import { Avatar } from './Avatar';

export function ContactList() {
  const { contacts, loaded, activeContactId } = useChat();
  return (
    <section className="list-section" aria-label="Chats">
      <h2 className="section-title">Chats</h2>
      {!loaded && <p className="muted pad">Loading chats…</p>}
      {loaded && contacts.length === 0 && (
        <p className="muted pad">
          No chats yet. Find someone above and send a chat request — once they accept, the chat shows up here.
        </p>
      )}
      <ul className="contacts">
        {contacts.map((c) => (
          <ContactItem key={c.id} contact={c} active={c.id === activeContactId} />
        ))}
      </ul>
    </section>
  );
}

function ContactItem({ contact, active }: { contact: ContactView; active: boolean }) {
  const status = contact.blocked
    ? 'Blocked'
    : contact.typing
      ? 'typing…'
      : contact.online
        ? 'online'
        : 'offline';
  return (
    <li>
      <a
        className={`contact ${active ? 'active' : ''}`}
        href={chatHref(contact.id)}
        aria-current={active ? 'page' : undefined}
      >
        <Avatar name={contact.username} online={contact.online && !contact.blocked} />
        <span className="contact-text">
          <span className="contact-name">{contact.username}</span>
          <span className={`contact-status ${contact.typing ? 'typing' : ''}`}>{status}</span>
        </span>
        <span className="contact-side">
          {contact.lastAt && <span className="muted small">{shortWhen(contact.lastAt)}</span>}
          {contact.unread > 0 && (
            <span className="badge">
              {contact.unread > 99 ? '99+' : contact.unread}
              <span className="sr-only"> unread</span>
            </span>
          )}
        </span>
      </a>
    </li>
  );
}
