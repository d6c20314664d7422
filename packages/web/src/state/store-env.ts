/** What the chat store asks of the browser: the clock, visibility and connectivity (tests pass their own). */
export interface StoreEnv {
  now(): Date;
  isVisible(): boolean;
  isOnline(): boolean;
  /** Calls back when visibility or connectivity changes; returns the unsubscribe. */
  watch(onChange: () => void): () => void;
}

export const browserEnv: StoreEnv = {
  now: () => new Date(),
  isVisible: () => document.visibilityState === 'visible',
  isOnline: () => navigator.onLine,
  watch: (onChange) => {
    const events = ['visibilitychange', 'focus', 'online', 'offline'] as const;
    for (const e of events) window.addEventListener(e, onChange);
    document.addEventListener('visibilitychange', onChange);
    return () => {
      for (const e of events) window.removeEventListener(e, onChange);
      document.removeEventListener('visibilitychange', onChange);
    };
  },
};
