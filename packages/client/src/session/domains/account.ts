/**
 * `session.account`: signing up, in and out, the password and the identity.
 * Every flow that signs in ends in `#adopt`, which makes the result this
 * device's signed-in account (keys, vault key, pins).
 */
import type { TActiveSession, TUser } from '@lockbox/contracts';
import { call, LockboxApiError } from '../../api/errors';
import { type Identity, identityFromSecrets, toBase64 } from '../../crypto';
import { type AccountDeps, loginAccount, registerAccount, type SignedIn } from '../account';
import { changeAccountPassword, upgradeLegacyAccount } from '../account-password';
import type { SessionInternals } from '../internals';
import type { KdfCheckOptions } from '../kdf-guard';
import { migrateLegacyKdf } from '../kdf-migration';
import type { Account } from '../profile';

export type AccountContext = Pick<
  SessionInternals,
  'api' | 'profile' | 'pinSync' | 'random' | 'argon2id' | 'signedIn' | 'v2'
>;

export class AccountDomain {
  readonly #ctx: AccountContext;

  constructor(ctx: AccountContext) {
    this.#ctx = ctx;
  }

  get #deps(): AccountDeps {
    const { api, random, argon2id, profile } = this.#ctx;
    return { api, random, argon2id, kdfMemory: profile, profile };
  }

  async #adopt(signedIn: SignedIn): Promise<Account> {
    const { profile, pinSync } = this.#ctx;
    const { user } = signedIn.session;
    const previous = await profile.account();
    if (previous && previous.user_id !== user.id) await profile.signOut(previous.user_id);
    const account = { user_id: user.id, username: user.username };
    this.#ctx.signedIn.set(account, signedIn.identities);
    await profile.setIdentities(
      user.id,
      signedIn.identities.map((i) => i.secrets),
    );
    await profile.setVaultKey(user.id, signedIn.vaultKey);
    await profile.setAccount(account);
    // Pins travel in the vault: take the vault's, then give it any this device had.
    await pinSync.importPins(user.id, signedIn.pins);
    await pinSync.push(user.id);
    // E2E v2 for this device (registers or re-binds it); a failure leaves v1 working (devices.status()).
    await this.#ctx.v2.start(this.#ctx.signedIn.me());
    return account;
  }

  async register(username: string, password: string): Promise<Account> {
    return this.#adopt(await registerAccount(this.#deps, username, password));
  }

  /**
   * Signs in; refuses prelogin parameters that are weak, absurd or changed
   * since this device last used them (`kdf_refused`, `kdf_changed`) before
   * anything is derived or sent. `acceptKdfChange` is for a password changed
   * on another device. A legacy account is migrated to the bound salt here.
   */
  async login(username: string, password: string, opts: KdfCheckOptions = {}): Promise<Account> {
    const signedIn = await loginAccount(this.#deps, username, password, opts);
    return this.#adopt(await migrateLegacyKdf(this.#deps, signedIn, username, password));
  }

  /**
   * Signs in and replaces this account's identity with a fresh one — the
   * explicit step for a vault that is really lost (never taken silently when
   * the server says "no vault"). Old identities stay in the vault if it still
   * opens; contacts see a key change.
   */
  async resetIdentity(username: string, password: string): Promise<Account> {
    return this.#adopt(await loginAccount(this.#deps, username, password, { resetIdentity: true }));
  }

  /**
   * Changes the password; the vault is re-sealed and this account's other
   * sessions end. `rotateKeys`: a fresh identity becomes current (old ones stay
   * for history) and is published; contacts see a key change they can verify.
   */
  async changePassword(
    currentPassword: string,
    newPassword: string,
    opts: { rotateKeys?: boolean } = {},
  ): Promise<void> {
    const { signedIn, profile } = this.#ctx;
    signedIn.me();
    const account = signedIn.account as Account;
    const { vaultKey, identities } = await changeAccountPassword(
      this.#deps,
      { id: account.user_id, username: account.username },
      currentPassword,
      newPassword,
      opts,
    );
    await profile.setVaultKey(account.user_id, vaultKey);
    if (opts.rotateKeys) {
      await profile.setIdentities(account.user_id, identities);
      signedIn.replaceIdentities(identities.map(identityFromSecrets));
    }
  }

  /** Gives an account registered with a raw password (curl) a vault and keys, under a new password. */
  async upgrade(username: string, currentPassword: string, newPassword: string): Promise<Account> {
    return this.#adopt(await upgradeLegacyAccount(this.#deps, username, currentPassword, newPassword));
  }

  /** Ends the session on the server and forgets the keys on this device (the vault still has them). */
  async logout(): Promise<void> {
    const { api, profile, signedIn } = this.#ctx;
    if (api.tokens.accessToken)
      await call(() => api.trpc.auth.logout.mutate()).catch((err) => {
        if (!(err instanceof LockboxApiError && err.status === 401)) throw err;
      });
    this.#ctx.v2.stop();
    await profile.signOut(signedIn.account?.user_id);
    signedIn.clear();
  }

  /** Who the server says the token belongs to (also proves the session is still valid). */
  async whoami(): Promise<TUser & { identity_key: string }> {
    const me = this.#ctx.signedIn.me();
    const user = await call(() => this.#ctx.api.trpc.auth.me.query());
    return { ...user, identity_key: toBase64((me.identities[0] as Identity).identityKey) };
  }

  /** Where this account is signed in: its live sessions, `current` for this one (never token material). */
  async sessions(): Promise<TActiveSession[]> {
    this.#ctx.signedIn.me();
    return call(() => this.#ctx.api.trpc.auth.sessions.query());
  }
}
