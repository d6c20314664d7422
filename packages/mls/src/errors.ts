/**
 * Every refusal of network input or of a member carries a machine-readable reason, so the SDK can
 * tell "wait for the missing commit" (future-epoch) from "this server is lying" (bad-certificate).
 * Messages name what was wrong, never key material or plaintext.
 */
export type MlsRefusal =
  | 'malformed'
  | 'wrong-wire-format'
  | 'wrong-ciphersuite'
  | 'wrong-group'
  | 'future-epoch'
  | 'old-epoch'
  | 'unknown-sender'
  | 'bad-certificate'
  | 'unknown-account'
  | 'expired-key-package'
  | 'bad-signature'
  | 'not-for-this-device'
  | 'not-a-member'
  | 'unsupported-content'
  | 'removed'
  | 'decrypt-failed';

export class MlsRefusedError extends Error {
  override readonly name = 'MlsRefusedError';
  constructor(
    readonly reason: MlsRefusal,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${message}`, options);
  }
}

export const refuse = (reason: MlsRefusal, message: string, cause?: unknown): never => {
  throw new MlsRefusedError(reason, message, cause === undefined ? undefined : { cause });
};
