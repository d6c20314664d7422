/**
 * Contact lists of connected users, cached for a short while: typing and
 * presence go to contacts only, and asking message-service on every typing
 * frame would cost a round trip per keystroke. An accepted request drops
 * both users' entries; a block is seen at the latest after the TTL.
 */
import type { HistorySource } from '../delivery/history';

interface Entry {
  contacts: Set<string>;
  fetchedAt: number;
}

export class ContactsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Set<string>>>();

  readonly #source: HistorySource;
  readonly #ttlMs: number;

  constructor(source: HistorySource, ttlMs: number) {
    this.#source = source;
    this.#ttlMs = ttlMs;
  }

  async of(userId: string): Promise<Set<string>> {
    const entry = this.#entries.get(userId);
    if (entry && Date.now() - entry.fetchedAt < this.#ttlMs) return entry.contacts;
    let loading = this.#inflight.get(userId);
    if (!loading) {
      loading = this.#source
        .contactsOf(userId)
        .then((ids) => {
          const contacts = new Set(ids);
          this.#entries.set(userId, { contacts, fetchedAt: Date.now() });
          return contacts;
        })
        .finally(() => this.#inflight.delete(userId));
      this.#inflight.set(userId, loading);
    }
    return loading;
  }

  async isContact(userId: string, other: string): Promise<boolean> {
    return (await this.of(userId)).has(other);
  }

  invalidate(userIds: string[]) {
    for (const id of userIds) this.#entries.delete(id);
  }

  /** The user has no socket here any more: nothing to keep. */
  forget(userId: string) {
    this.#entries.delete(userId);
  }
}
