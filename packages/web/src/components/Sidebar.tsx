import { BlockedList } from './BlockedList';
import { ContactList } from './ContactList';
import { RequestList } from './RequestList';
import { UserSearch } from './UserSearch';

export function Sidebar() {
  return (
    <aside className="sidebar" aria-label="Chats and people">
      <UserSearch />
      <div className="sidebar-scroll">
        <RequestList />
        <ContactList />
        <BlockedList />
      </div>
    </aside>
  );
}
