/**
 * What the user does about other people: search, chat requests, blocks,
 * safety numbers and changed keys. Each action settles on the server, then
 * the lists are fetched again (the server's word on what changed).
 */
import type { IdentityChangedEvent, KeyChangedEvent } from '@lockbox/client';
import type { QueryClient } from '@tanstack/react-query';
import type { ChatBackend } from '../lib/backend';
import type { Conversations } from './conversations';
import type { LocalStore } from './local-state';
import { queryKeys, updateSummary } from './server-queries';
import type { IncomingRequest, OutgoingRequest, Person } from './types';

export abstract class PeopleActions {
  protected readonly backend: ChatBackend;
  /** The session's server cache (lists, summaries, histories). */
  readonly queries: QueryClient;
  readonly #local: LocalStore;
  abstract readonly conversations: Conversations;

  constructor(backend: ChatBackend, queries: QueryClient, local: LocalStore) {
    this.backend = backend;
    this.queries = queries;
    this.#local = local;
  }

  get me() {
    return this.backend.me;
  }

  abstract refreshLists(): Promise<void>;
  abstract openConversation(contactId: string | undefined): void;

  /** Newest message time of a contact's conversation (orders the contact list). */
  setLastAt(contactId: string, at: string): void {
    updateSummary(this.queries, contactId, (s) => ({ ...s, lastAt: at }));
  }

  search(prefix: string) {
    return this.backend.search(prefix);
  }

  /** Why the server's "this id is this username" is a lie (undefined: it holds, as far as this device knows). */
  async identityProblem(person: Person): Promise<string | undefined> {
    try {
      await this.backend.checkIdentity(person);
      return undefined;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'identity_changed') return `not the ${person.username} you know: another account`;
      if (code === 'identity_mismatch')
        return `not ${person.username}: this account's key names someone else`;
      return undefined;
    }
  }

  /** An action on the server, then the lists as the server now has them. */
  async #thenRefresh(action: Promise<void>): Promise<void> {
    await action;
    await this.refreshLists();
  }

  requestChat(username: string, note?: string): Promise<void> {
    return this.#thenRefresh(this.backend.request(username, note?.trim() || undefined));
  }

  accept(requestId: string): Promise<void> {
    return this.#thenRefresh(this.backend.accept(requestId));
  }

  decline(requestId: string): Promise<void> {
    return this.#thenRefresh(this.backend.decline(requestId));
  }

  cancel(requestId: string): Promise<void> {
    return this.#thenRefresh(this.backend.cancel(requestId));
  }

  /** Blocks a user, and settles any request between us (a block alone leaves them pending). */
  async block(userId: string): Promise<void> {
    await this.backend.block(userId);
    const incoming = this.queries.getQueryData<IncomingRequest[]>(queryKeys.incoming) ?? [];
    const outgoing = this.queries.getQueryData<OutgoingRequest[]>(queryKeys.outgoing) ?? [];
    const settle = [
      ...incoming.filter((r) => r.from.id === userId).map((r) => this.backend.decline(r.id)),
      ...outgoing.filter((r) => r.to.id === userId).map((r) => this.backend.cancel(r.id)),
    ];
    await Promise.allSettled(settle);
    await this.refreshLists();
  }

  unblock(userId: string): Promise<void> {
    return this.#thenRefresh(this.backend.unblock(userId));
  }

  // ---- safety numbers ----------------------------------------------------------

  safetyNumber(contactId: string) {
    return this.backend.safetyNumber(contactId);
  }

  async markVerified(contactId: string): Promise<void> {
    await this.backend.markVerified(contactId);
    this.#local.update((s) => ({ ...s, verified: { ...s.verified, [contactId]: true } }));
  }

  candidateSafetyNumber(contactId: string) {
    return this.backend.candidateSafetyNumber(contactId);
  }

  /**
   * Trusts the contact's new key (exactly `identityKey`, the one whose number was shown);
   * the conversation reloads so messages signed with it verify.
   */
  async acceptNewKey(contactId: string, identityKey?: string): Promise<void> {
    await this.backend.acceptNewKey(contactId, identityKey);
    this.conversations.forget(contactId);
    this.#local.update((s) => {
      const { [contactId]: _gone, ...keyChanges } = s.keyChanges;
      const { [contactId]: _moved, ...identityChanges } = s.identityChanges;
      return { ...s, keyChanges, identityChanges, verified: { ...s.verified, [contactId]: false } };
    });
    if (this.#local.state.activeContactId === contactId) void this.conversations.loadFirstPage(contactId);
  }

  protected keyChanged(e: KeyChangedEvent): void {
    this.#local.update((s) => ({
      ...s,
      keyChanges: { ...s.keyChanges, [e.userId]: e },
      verified: { ...s.verified, [e.userId]: false },
    }));
  }

  protected identityChanged(e: IdentityChangedEvent): void {
    this.#local.update((s) => ({ ...s, identityChanges: { ...s.identityChanges, [e.userId]: e } }));
  }
}
