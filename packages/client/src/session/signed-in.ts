/**
 * Who is signed in on this session, and with which identities: the one piece
 * of mutable state every domain of LockboxSession reads (account sets it).
 */
import type { Identity } from '../crypto';
import { SessionError } from './errors';
import type { Me } from './messages';
import type { Account } from './profile';

export class SignedInState {
  #account: Account | undefined;
  #identities: Identity[] = [];

  get account(): Account | undefined {
    return this.#account;
  }

  /** The signed-in user and keys; throws `not_signed_in` otherwise (every domain call checks this first). */
  me(): Me {
    if (!this.#account || this.#identities.length === 0)
      throw new SessionError('not_signed_in', 'not signed in; run login first');
    return { userId: this.#account.user_id, identities: this.#identities };
  }

  set(account: Account, identities: Identity[]): void {
    this.#account = account;
    this.#identities = identities;
  }

  /**
   * Replaces the identities in place: a running listen() holds this array
   * (through `me()`), and must open messages sealed to the new key too.
   */
  replaceIdentities(identities: Identity[]): void {
    this.#identities.splice(0, this.#identities.length, ...identities);
  }

  clear(): void {
    this.#account = undefined;
    this.#identities = [];
  }
}
