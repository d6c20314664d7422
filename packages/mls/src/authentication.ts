/**
 * Who may be a member: the one rule every credential check in this package goes through, both
 * before LockBox hands a KeyPackage to ts-mls and inside ts-mls (its AuthenticationService hook runs
 * on every leaf of a joined tree, every added KeyPackage and every commit's new leaf).
 */
import type { AuthenticationService, Credential } from 'ts-mls';
import {
  certificateFromCredential,
  type DeviceCertificate,
  verifyDeviceCertificate,
} from './device-certificate';
import { MlsRefusedError, refuse } from './errors';

/**
 * The account identity key this client expects for a user (from its pinned key directory entry),
 * or undefined for a user it has no key for. Never the server's unverified word.
 */
export type AccountKeyResolver = (userId: string) => Uint8Array | undefined;

/** The member's verified certificate, or MlsRefusedError (unknown-account, bad-certificate, malformed). */
export const authenticateMember = (
  credential: Credential,
  signaturePublicKey: Uint8Array,
  accountKeyFor: AccountKeyResolver,
): DeviceCertificate => {
  const cert = certificateFromCredential(credential, signaturePublicKey);
  const accountKey = accountKeyFor(cert.userId);
  if (accountKey === undefined) return refuse('unknown-account', 'no pinned account key for this user');
  if (!verifyDeviceCertificate(cert, accountKey))
    return refuse('bad-certificate', 'device certificate does not verify against the account key');
  return cert;
};

/**
 * ts-mls only takes a yes/no from its hook; the reason of the last refusal is kept so the caller
 * can rethrow ts-mls's generic error as the precise MlsRefusedError.
 */
export class CertificateAuthenticationService implements AuthenticationService {
  #accountKeyFor: AccountKeyResolver;
  lastRefusal: MlsRefusedError | undefined;

  constructor(accountKeyFor: AccountKeyResolver) {
    this.#accountKeyFor = accountKeyFor;
  }

  async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    try {
      authenticateMember(credential, signaturePublicKey, this.#accountKeyFor);
      return true;
    } catch (e) {
      if (!(e instanceof MlsRefusedError)) throw e;
      this.lastRefusal = e;
      return false;
    }
  }
}
