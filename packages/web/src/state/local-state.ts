/**
 * What only this tab knows, never fetched: the connection, presence and typing
 * (per socket), messages still being sent, key-change warnings, and which
 * conversation is open. A tiny immutable store; the server's data lives in the
 * query cache (server-queries.ts).
 */
import type { IdentityChangedEvent, KeyChangedEvent, RealtimeState } from '@lockbox/client';
import type { ChatMessage } from './types';

export interface LocalState {
  connection: RealtimeState;
  /** The browser says it has no network. */
  offline: boolean;
  activeContactId: string | undefined;
  ended: boolean;
  online: Readonly<Record<string, boolean>>;
  typing: Readonly<Record<string, boolean>>;
  /** Per contact: my messages not yet confirmed by the server ("sending" or "failed"). */
  pending: Readonly<Record<string, ChatMessage[]>>;
  keyChanges: Readonly<Record<string, KeyChangedEvent>>;
  identityChanges: Readonly<Record<string, IdentityChangedEvent>>;
  verified: Readonly<Record<string, boolean>>;
}

export const initialLocalState = (offline: boolean): LocalState => ({
  connection: 'connecting',
  offline,
  activeContactId: undefined,
  ended: false,
  online: {},
  typing: {},
  pending: {},
  keyChanges: {},
  identityChanges: {},
  verified: {},
});

export class LocalStore {
  #state: LocalState;
  readonly #listeners = new Set<() => void>();
  #closed = false;

  constructor(initial: LocalState) {
    this.#state = initial;
  }

  get state(): LocalState {
    return this.#state;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  update(fn: (s: LocalState) => LocalState): void {
    if (this.#closed) return;
    this.#state = fn(this.#state);
    for (const l of this.#listeners) l();
  }

  /** After this, updates are ignored (late answers to a stopped session). */
  close(): void {
    this.#closed = true;
  }

  setPending(contactId: string, fn: (messages: ChatMessage[]) => ChatMessage[]): void {
    this.update((s) => ({ ...s, pending: { ...s.pending, [contactId]: fn(s.pending[contactId] ?? []) } }));
  }

  /** Presence is only known over a live socket: without one, nobody is shown online. */
  forgetPresence(): void {
    const s = this.#state;
    if (Object.values(s.online).some(Boolean) || Object.values(s.typing).some(Boolean))
      this.update((x) => ({ ...x, online: {}, typing: {} }));
  }
}
