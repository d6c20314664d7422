/**
 * Why a message, bundle or vault was refused. Every check that fails throws one
 * of these; callers branch on `code`, never on the message text.
 */
export type CryptoErrorCode =
  /** The envelope's version byte is not one this SDK speaks. */
  | 'unsupported_version'
  /** Bytes do not parse as the format (truncated, trailing bytes, bad lengths). */
  | 'malformed'
  /** The Ed25519 signature does not verify under the sender's pinned identity key. */
  | 'bad_signature'
  /** The envelope names another sender, recipient or client_msg_id than the server says (a replay). */
  | 'metadata_mismatch'
  /** The envelope (or a bundle) carries an identity key other than the one pinned for that user. */
  | 'key_changed'
  /** This account holds no key the envelope was wrapped for. */
  | 'not_for_me'
  /** Authenticated decryption failed (wrong key or tampered ciphertext). */
  | 'decrypt_failed'
  /** A key bundle's self-signature does not verify for that user (or its version/created_at is not sane). */
  | 'bad_bundle'
  /** A key bundle's signed username is not the username the server listed for that user id. */
  | 'identity_mismatch'
  /** A username this device pinned to one user id is now listed with another id. */
  | 'identity_changed';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
