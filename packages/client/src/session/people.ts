/**
 * Finding a user by username or id: contacts first, then the directory. Shared
 * by the domains that accept a name (contacts, requests, messages, verification).
 */
import type { TContact, TUser } from '@lockbox/contracts';
import { call } from '../api/errors';
import { SessionError } from './errors';
import type { SessionInternals } from './internals';

export const USER_ID = /^usr_[0-9a-hjkmnp-tv-z]{26}$/;

export class People {
  readonly #ctx: Pick<SessionInternals, 'api' | 'keys' | 'signedIn'>;

  constructor(ctx: Pick<SessionInternals, 'api' | 'keys' | 'signedIn'>) {
    this.#ctx = ctx;
  }

  async contacts(): Promise<TContact[]> {
    this.#ctx.signedIn.me();
    const all: TContact[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await call(() =>
        this.#ctx.api.trpc.contacts.list.query({ limit: 100, ...(after ? { after } : {}) }),
      );
      all.push(...page);
      if (page.length < 100) return all;
      after = page[page.length - 1]?.id;
    }
  }

  async search(q: string, limit = 20): Promise<TUser[]> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.users.search.query({ q, limit }));
  }

  /**
   * A username (case-insensitive) or user id → that user. The server's "this
   * id is that username" is checked against this device's pins and the
   * username the user's key signs: a contradiction is an `identity_changed`
   * event and an error, never a quiet answer.
   */
  async resolve(nameOrId: string): Promise<TUser> {
    const user = await this.lookUp(nameOrId);
    if (user.username !== user.id) await this.#ctx.keys.checkIdentity(user.id, user.username);
    return user;
  }

  /** resolve without the identity check: for the calls that show or accept a changed identity. */
  async lookUp(nameOrId: string): Promise<TUser> {
    const needle = nameOrId.trim();
    const contacts = await this.contacts();
    const contact = contacts.find(
      (c) => c.id === needle || c.username.toLowerCase() === needle.toLowerCase(),
    );
    if (contact) return { id: contact.id, username: contact.username };
    if (USER_ID.test(needle)) return { id: needle, username: needle };
    if (needle.length > 0 && needle.length <= 32) {
      const found = await this.search(needle, 50);
      const exact = found.find((u) => u.username.toLowerCase() === needle.toLowerCase());
      if (exact) return exact;
    }
    throw new SessionError('unknown_user', `no user named "${needle}"`);
  }
}
