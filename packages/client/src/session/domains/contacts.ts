/** `session.contacts`: who I am connected to, finding people, and blocking. */
import type { TContact, TUser } from '@lockbox/contracts';
import { call } from '../../api/errors';
import type { SessionInternals } from '../internals';

export type ContactsContext = Pick<SessionInternals, 'api' | 'signedIn' | 'people'>;

export class ContactsDomain {
  readonly #ctx: ContactsContext;

  constructor(ctx: ContactsContext) {
    this.#ctx = ctx;
  }

  /** Every contact (all pages). */
  list(): Promise<TContact[]> {
    return this.#ctx.people.contacts();
  }

  search(q: string, limit = 20): Promise<TUser[]> {
    return this.#ctx.people.search(q, limit);
  }

  /**
   * A username (case-insensitive) or user id → that user; contacts first, then
   * the directory. The server's "this id is that username" is checked against
   * this device's pins and the username the user's key signs: a contradiction
   * is an `identity_changed` event and an error, never a quiet answer.
   */
  resolveUser(nameOrId: string): Promise<TUser> {
    return this.#ctx.people.resolve(nameOrId);
  }

  /** Blocks a user: no requests or messages either way until unblocked (idempotent). */
  async block(userId: string): Promise<{ user_id: string; blocked: boolean }> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.contacts.block.mutate({ user_id: userId }));
  }

  async unblock(userId: string): Promise<{ user_id: string; blocked: boolean }> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.contacts.unblock.mutate({ user_id: userId }));
  }

  /** Users this account blocked (contacts or not). */
  async blocked(): Promise<Array<{ id: string; username: string; blocked_at: string }>> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.contacts.blocked.query({ limit: 100 }));
  }
}
