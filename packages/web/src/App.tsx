/**
 * Boot: open the browser's session (IndexedDB), then either the sign-in
 * screen or the chat. A reload lands straight in the chat when the tokens and
 * keys of a signed-in account are still in this browser.
 */
import type { LockboxSession } from '@lockbox/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { AuthScreen } from './components/AuthScreen';
import { ChatScreen } from './components/ChatScreen';
import { Splash } from './components/Splash';
import { type AccountActions, sessionAccount } from './lib/account';
import { sessionBackend } from './lib/backend';
import { openBrowserSession } from './lib/browser-session';
import { ChatStore } from './state/chat-store';

type Phase =
  | { name: 'opening' }
  | { name: 'failed'; error: string }
  | { name: 'signed-out'; session: LockboxSession; notice?: string }
  | { name: 'signed-in'; store: ChatStore; account: AccountActions };

export function App() {
  const [phase, setPhase] = useState<Phase>({ name: 'opening' });
  const opened = useRef(false);

  const enter = useCallback((session: LockboxSession) => {
    const store = new ChatStore(sessionBackend(session));
    void store.start();
    setPhase({ name: 'signed-in', store, account: sessionAccount(session) });
  }, []);

  const leave = useCallback(async (notice?: string) => {
    try {
      const session = await openBrowserSession();
      setPhase({ name: 'signed-out', session, ...(notice ? { notice } : {}) });
    } catch (err) {
      setPhase({ name: 'failed', error: (err as Error).message });
    }
  }, []);

  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    openBrowserSession().then(
      (session) => (session.user ? enter(session) : setPhase({ name: 'signed-out', session })),
      (err: Error) => setPhase({ name: 'failed', error: err.message }),
    );
  }, [enter]);

  switch (phase.name) {
    case 'opening':
      return <Splash text="Opening LockBox…" />;
    case 'failed':
      return (
        <Splash
          text={`LockBox cannot start in this browser: ${phase.error}. It needs IndexedDB (private windows of some browsers turn it off).`}
        />
      );
    case 'signed-out':
      return <AuthScreen session={phase.session} notice={phase.notice} onSignedIn={enter} />;
    case 'signed-in':
      return <ChatScreen store={phase.store} account={phase.account} onSignedOut={leave} />;
  }
}
