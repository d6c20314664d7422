/** The chat store in React: one context, and a hook that re-renders on every change. */
import { createContext, useCallback, useContext, useState, useSyncExternalStore } from 'react';
import { describeError } from '../lib/errors';
import type { ChatStore } from './chat-store';
import type { ChatSnapshot } from './types';

export const ChatContext = createContext<ChatStore | null>(null);

export const useChatStore = (): ChatStore => {
  const store = useContext(ChatContext);
  if (!store) throw new Error('useChatStore outside <ChatContext.Provider>');
  return store;
};

export const useChat = (): ChatSnapshot => {
  const store = useChatStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
};

/** Runs an action with a busy flag and the error in words; resolves to whether it worked. */
export const useAction = () => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = useCallback(async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
};
