/**
 * Any error from the SDK, in words a person understands. Codes decide the
 * wording; the server's own message is shown only where it already speaks to
 * the user (validation of what they typed, "already contacts" and the like).
 */
import { CryptoError, LockboxApiError, NoVaultError, SessionError } from '@lockbox/client';

const seconds = (n: number | undefined) => {
  if (n === undefined || !Number.isFinite(n) || n <= 0) return 'a moment';
  if (n < 90) return `${Math.ceil(n)} second${Math.ceil(n) === 1 ? '' : 's'}`;
  return `${Math.ceil(n / 60)} minutes`;
};

const capitalised = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

export const describeError = (err: unknown): string => {
  if (err instanceof SessionError) {
    switch (err.code) {
      case 'wrong_password':
        return 'Wrong username or password.';
      case 'vault_locked':
        return 'Your key vault did not open with this password.';
      case 'not_a_contact':
        return 'You can only message people who accepted your chat request (and have not blocked you).';
      case 'unknown_user':
        return 'There is no one with that username.';
      case 'no_keys':
        return 'This person has not set up encryption yet: they need to sign in to LockBox once.';
      case 'not_signed_in':
        return 'You are signed out. Sign in again.';
      case 'unknown_request':
        return 'That request is no longer pending.';
      case 'kdf_refused':
        return /above/.test(err.message)
          ? 'Sign-in stopped: the server asked this browser to protect your password with settings far beyond LockBox’s limits. Nothing was sent.'
          : 'Sign-in stopped for your safety: the server asked for weak password protection (below 64 MiB and 3 passes of argon2id), which would make your password easy to crack. Nothing was sent. The server may be compromised.';
      case 'kdf_changed':
        return /downgrade/.test(err.message)
          ? 'Sign-in stopped for your safety: the server tried to move your account back to an older, weaker password protection. Nothing was sent. The server may be compromised.'
          : 'Sign-in stopped: the server changed how your password is protected since you last signed in here. Nothing was sent. If you did not change your password on another device, the server may be trying to capture it.';
      case 'no_vault': {
        const seenAt = err instanceof NoVaultError ? err.seenAt : undefined;
        return seenAt
          ? `The server says this account has no key vault, but this browser saw one on ${seenAt.slice(0, 10)}: the server may be lying. Nothing was created. Reset your identity only if you really lost your keys.`
          : 'The server says this account has no key vault. Nothing was created. Reset your identity only if you really lost your keys.';
      }
      case 'device_unavailable':
        return 'Devices are unavailable on this browser right now. Messaging still works.';
      case 'current_device':
        return 'This is the device you are using: sign out instead.';
      case 'unknown_device':
        return 'That device is no longer on your account.';
      case 'vault_rollback':
        return 'The server sent an older copy of your key vault than this browser already saw, and it was refused: the server may be trying to undo a key you trusted. Nothing was changed.';
    }
  }
  if (err instanceof CryptoError) {
    if (err.code === 'key_changed')
      return 'This contact’s security key changed. Review their safety number before sending.';
    return `Encryption failed: ${err.message}.`;
  }
  if (err instanceof LockboxApiError) {
    switch (err.code) {
      case 'network':
        return 'Can’t reach LockBox. Check your connection and try again.';
      case 'rate_limited':
        return `Too many attempts. Wait ${seconds(err.retryAfter)} and try again.`;
      case 'invalid_credentials':
        return 'Wrong username or password.';
      case 'username_taken':
        return 'That username is taken. Pick another one.';
      case 'unauthorized':
      case 'token_expired':
        return 'Your session ended. Sign in again.';
      case 'invalid_response':
        return 'The server sent an answer LockBox refuses (it does not match the protocol), so nothing from it was used. Try again later.';
      case 'payload_too_large':
        return 'That message is too long.';
      case 'internal':
      case 'bad_gateway':
      case 'service_unavailable':
      case 'gateway_timeout':
        return 'LockBox is having trouble right now. Try again in a moment.';
      default:
        return `${capitalised(err.message.replace(/\.$/, ''))}.`;
    }
  }
  return 'Something went wrong. Try again.';
};

/** A message that failed to verify, in words (it is never shown as text). */
export const describeVerifyError = (code: string): string => {
  switch (code) {
    case 'key_changed':
      return 'Signed with a key that changed since you first talked';
    case 'bad_signature':
    case 'metadata_mismatch':
      return 'The signature does not match: it may have been tampered with';
    case 'not_for_me':
      return 'Encrypted for a key this account does not have';
    case 'decrypt_failed':
      return 'Could not be decrypted';
    default:
      return 'Could not be verified';
  }
};
