/**
 * The signed-in app: a top bar, the sidebar (search, requests, chats) and the
 * open conversation. On a phone only one of the two panes shows at a time.
 */
import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AccountActions } from '../lib/account';
import { contactFromHash } from '../lib/route';
import type { ChatStore } from '../state/chat-store';
import { ChatContext, useChat } from '../state/use-chat';
import { AccountDialog } from './AccountDialog';
import { ConnectionBanner } from './ConnectionBanner';
import { ConversationView } from './ConversationView';
import { DevicesDialog } from './DevicesDialog';
import { EmptyConversation } from './EmptyConversation';
import { Sidebar } from './Sidebar';
import { TopBar } from './TopBar';

interface ChatScreenProps {
  store: ChatStore;
  account: AccountActions;
  onSignedOut: (notice?: string) => void;
}

export function ChatScreen(props: ChatScreenProps) {
  return (
    <QueryClientProvider client={props.store.queries}>
      <ChatContext.Provider value={props.store}>
        <ChatLayout {...props} />
      </ChatContext.Provider>
    </QueryClientProvider>
  );
}

function ChatLayout({ store, account, onSignedOut }: ChatScreenProps) {
  const snap = useChat();
  const [panel, setPanel] = useState<'account' | 'devices' | undefined>();
  const active = snap.activeContactId;

  // The URL hash names the open conversation.
  useEffect(() => {
    const sync = () => store.openConversation(contactFromHash(window.location.hash));
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }, [store]);

  useEffect(() => {
    if (!snap.ended) return;
    // The keys leave this browser too: whoever signs in next unlocks them from the vault again.
    void store
      .signOut()
      .catch(() => undefined)
      .then(() =>
        onSignedOut(
          'Your session ended (signed out elsewhere, this device was revoked, or it expired). Sign in again.',
        ),
      );
  }, [snap.ended, store, onSignedOut]);

  const unread = snap.contacts.reduce((n, c) => n + c.unread, 0) + snap.incoming.length;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) LockBox` : 'LockBox';
  }, [unread]);

  const signOut = async () => {
    await store.signOut();
    window.location.hash = '';
    onSignedOut('You signed out. Your keys were removed from this browser.');
  };

  return (
    <div className={`app ${active ? 'has-active' : ''}`}>
      <TopBar onSignOut={signOut} onAccount={() => setPanel('account')} />
      {panel === 'account' && (
        <AccountDialog
          account={account}
          onDevices={() => setPanel('devices')}
          onClose={() => setPanel((p) => (p === 'account' ? undefined : p))}
        />
      )}
      {panel === 'devices' && <DevicesDialog devices={account.devices} onClose={() => setPanel(undefined)} />}
      <ConnectionBanner />
      <div className="panes">
        <Sidebar />
        <div className="main-pane">
          {active ? <ConversationView contactId={active} /> : <EmptyConversation />}
        </div>
      </div>
    </div>
  );
}
