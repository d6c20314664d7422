/**
 * Accounts registered before issue 11 derive their keys with the server's salt
 * as is (KDF version 1). Right after such an account signs in, the client
 * moves it to the salt bound to the username (version 2): a password change
 * to the same password, so the server swaps login secret, KDF parameters and
 * the re-sealed vault in one transaction (docs/SECURITY.md 9.2, "Migration").
 * From then on this device remembers version 2 and refuses a legacy answer.
 */
import { KDF_VERSION_BOUND, type TClientKdf } from '@lockbox/contracts';
import type { AccountDeps, SignedIn } from './account';
import { changeAccountPassword } from './account-password';

export const migrateLegacyKdf = async (
  deps: AccountDeps,
  signedIn: SignedIn & { kdf: TClientKdf },
  username: string,
  password: string,
): Promise<SignedIn> => {
  const { kdf, ...rest } = signedIn;
  if (kdf.version === KDF_VERSION_BOUND) return rest;
  // changeAccountPassword checks prelogin again against what login just remembered (version 1).
  const { vaultKey } = await changeAccountPassword(
    deps,
    { id: signedIn.session.user.id, username },
    password,
    password,
  );
  return { ...rest, vaultKey };
};
