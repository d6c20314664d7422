/**
 * Password changes on an existing account: the ordinary change (optionally
 * rotating the identity), and the one-time upgrade of an account made with a
 * raw password (curl) to an end-to-end one. Both re-seal or write the vault
 * under keys derived from the new password (docs/SECURITY.md "Vault").
 */
import { call } from '../api/errors';
import {
  deriveAccountKeys,
  generateIdentity,
  type IdentitySecrets,
  identityFromSecrets,
  newClientKdf,
  openVaultContents,
  sealVault,
  type VaultContents,
} from '../crypto';
import { type AccountDeps, ensurePublished, type SignedIn, sameAccount, wrongPassword } from './account';
import { SessionError } from './errors';
import { fetchAccountKdf } from './kdf-guard';
import { checkVaultFresh, nextVaultCounter, noVaultError, rememberVault } from './vault-freshness';

/**
 * Changes the password: re-derives both keys under a fresh salt and re-seals
 * the vault; the server swaps login secret, KDF parameters and vault in one
 * transaction (and ends this account's other sessions). With `rotateKeys`, a
 * fresh identity becomes current in the re-sealed vault (the old ones stay,
 * so history still opens) and its bundle is published: contacts see a key
 * change they can verify.
 */
export const changeAccountPassword = async (
  deps: AccountDeps,
  user: { id: string; username: string },
  currentPassword: string,
  newPassword: string,
  opts: { rotateKeys?: boolean } = {},
): Promise<{ vaultKey: Uint8Array; identities: IdentitySecrets[] }> => {
  const { trpc } = deps.api;
  const currentKdf = await fetchAccountKdf(deps.api, deps.kdfMemory, user.username);
  const current = await deriveAccountKeys(currentPassword, currentKdf, deps.argon2id, user.username);
  const stored = await call(() => trpc.vault.get.query());
  if (!stored.vault) throw await noVaultError(deps.profile, user.id, user.username);
  let contents: VaultContents;
  try {
    contents = openVaultContents(user.id, current.vaultKey, stored.vault);
  } catch {
    throw new SessionError('wrong_password', 'the current password is wrong');
  }
  await checkVaultFresh(deps.profile, user.id, contents);
  const identities = opts.rotateKeys
    ? [generateIdentity(deps.random).secrets, ...contents.identities]
    : contents.identities;
  const counter = await nextVaultCounter(deps.profile, user.id, contents.counter);
  const kdf = newClientKdf(deps.random);
  const next = await deriveAccountKeys(newPassword, kdf, deps.argon2id, user.username);
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: current.loginSecret,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(
        user.id,
        next.vaultKey,
        { identities, pins: contents.pins, counter, archiveKey: contents.archiveKey },
        deps.random,
      ),
      expected_vault_version: stored.version,
    }),
  ).catch(wrongPassword);
  // This device made the change: it is the new normal, not an attack.
  await deps.kdfMemory.rememberKdf(user.username, kdf);
  await rememberVault(deps.profile, user.id, counter, user.username);
  if (opts.rotateKeys)
    await ensurePublished(deps, user, identityFromSecrets(identities[0] as IdentitySecrets));
  return { vaultKey: next.vaultKey, identities };
};

/**
 * Turns an account made with a raw password (curl) into an end-to-end one:
 * signs in with that password one last time, then sets the new password's
 * derived login secret, KDF parameters and a first vault with fresh keys.
 * Choose a new password: the server has seen the old one in the clear.
 */
export const upgradeLegacyAccount = async (
  deps: AccountDeps,
  username: string,
  currentPassword: string,
  newPassword: string,
): Promise<SignedIn> => {
  const { trpc } = deps.api;
  const session = sameAccount(
    await call(() => trpc.auth.login.mutate({ username, password: currentPassword })).catch(wrongPassword),
    username,
  );
  await deps.api.tokens.save(session);
  const stored = await call(() => trpc.vault.get.query());
  if (stored.vault)
    throw new SessionError('vault_locked', 'this account already has end-to-end keys: use login instead');
  const kdf = newClientKdf(deps.random);
  const next = await deriveAccountKeys(newPassword, kdf, deps.argon2id, username);
  const identity = generateIdentity(deps.random);
  const counter = await nextVaultCounter(deps.profile, session.user.id);
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: currentPassword,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(
        session.user.id,
        next.vaultKey,
        { identities: [identity.secrets], counter },
        deps.random,
      ),
      expected_vault_version: 0,
    }),
  );
  await deps.kdfMemory.rememberKdf(username, kdf);
  await rememberVault(deps.profile, session.user.id, counter, session.user.username);
  await ensurePublished(deps, session.user, identity);
  return { session, identities: [identity], vaultKey: next.vaultKey, pins: [] };
};
