/**
 * What a user did wrong or must do next, as opposed to a broken message
 * (CryptoError) or a transport problem (LockboxApiError). The CLI and web app
 * turn `code` into their own words.
 */
export type SessionErrorCode =
  /** Username or password is wrong (the server does not say which). */
  | 'wrong_password'
  /** No user by that name or id. */
  | 'unknown_user'
  /** Messages go only to accepted contacts. */
  | 'not_a_contact'
  /** Nobody is signed in on this device/profile. */
  | 'not_signed_in'
  /** The contact has not set up end-to-end keys yet (never signed in with a LockBox app). */
  | 'no_keys'
  /** The vault does not open with the key from this password. */
  | 'vault_locked'
  /** The server says the account has no key vault (never silently replaced by new keys: see resetIdentity). */
  | 'no_vault'
  /** The server served an older vault than this device already saw (or a v1 vault after v2): refused. */
  | 'vault_rollback'
  /** No pending request matches. */
  | 'unknown_request'
  /** Prelogin asked for argon2id parameters below the floor or above the ceiling; nothing was sent. */
  | 'kdf_refused'
  /** Prelogin's salt or parameters differ from what this device remembers for the account; nothing was sent. */
  | 'kdf_changed'
  /** E2E v2 is not running on this device (session.devices.status() says why). */
  | 'device_unavailable'
  /** The device to revoke is the one in use (sign out instead). */
  | 'current_device'
  /** No such device on this account's signed device list. */
  | 'unknown_device';

export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
