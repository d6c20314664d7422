/**
 * Account flows with zero-knowledge credentials (docs/SECURITY.md "Vault"):
 * register derives a login secret and a vault key from the password under a
 * fresh argon2id salt; login asks prelogin for that salt and derives them
 * again; either way the identity seeds travel only inside the vault, and the
 * public bundle is (re)published when the directory lacks it.
 */
import type { TSessionResponse } from '@lockbox/contracts';
import type { LockboxApi } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import {
  type Argon2id,
  CryptoError,
  deriveAccountKeys,
  generateIdentity,
  type Identity,
  identityFromSecrets,
  newClientKdf,
  openVaultContents,
  type RandomSource,
  sealVault,
  signKeyBundle,
  type VaultContents,
} from '../crypto';
import { SessionError } from './errors';

export interface AccountDeps {
  api: LockboxApi;
  random: RandomSource;
  argon2id: Argon2id;
}

export interface SignedIn {
  session: TSessionResponse;
  identities: Identity[];
  /** Kept on the device so pins can be added to the vault later (never sent anywhere). */
  vaultKey: Uint8Array;
  /** The pinned contact keys stored in the vault (unchecked records; the session validates them). */
  pins: Record<string, unknown>[];
}

const loadOrCreateVault = async (deps: AccountDeps, userId: string, vaultKey: Uint8Array) => {
  const { trpc } = deps.api;
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await call(() => trpc.vault.get.query());
    if (stored.vault) {
      try {
        return openVaultContents(userId, vaultKey, stored.vault);
      } catch (err) {
        if (err instanceof CryptoError && err.code === 'decrypt_failed')
          throw new SessionError('vault_locked', 'the key vault does not open with this password');
        throw err;
      }
    }
    // No vault yet: a curl-made account upgraded earlier, or a register that stopped half-way.
    const fresh = generateIdentity(deps.random).secrets;
    try {
      await call(() =>
        trpc.vault.put.mutate({
          vault: sealVault(userId, vaultKey, [fresh], deps.random),
          expected_version: 0,
        }),
      );
      return { identities: [fresh], pins: [] };
    } catch (err) {
      // Another device created it at the same moment: read theirs.
      if (err instanceof LockboxApiError && err.code === 'conflict') continue;
      throw err;
    }
  }
  throw new SessionError('vault_locked', 'the key vault keeps changing; try again');
};

/**
 * Publishes our bundle unless the directory already holds exactly it, in
 * version 2 (signed username): a directory still holding this identity's
 * legacy version 1 bundle gets it republished as version 2 on this login.
 */
export const ensurePublished = async (
  deps: AccountDeps,
  user: { id: string; username: string },
  identity: Identity,
) => {
  const bundle = signKeyBundle(user.id, user.username, identity);
  const published = await call(() => deps.api.trpc.keys.get.query({ user_id: user.id })).catch((err) => {
    if (err instanceof LockboxApiError && err.code === 'not_found') return undefined;
    throw err;
  });
  const same =
    published &&
    published.version === bundle.version &&
    published.username === bundle.username &&
    published.identity_key === bundle.identity_key &&
    published.x25519_key === bundle.x25519_key &&
    published.mlkem768_key === bundle.mlkem768_key;
  if (!same) await call(() => deps.api.trpc.keys.publish.mutate(bundle));
};

const finish = async (
  deps: AccountDeps,
  session: TSessionResponse,
  vaultKey: Uint8Array,
): Promise<SignedIn> => {
  await deps.api.tokens.save(session);
  const contents = await loadOrCreateVault(deps, session.user.id, vaultKey);
  const identities = contents.identities.map(identityFromSecrets);
  await ensurePublished(deps, session.user, identities[0] as Identity);
  return { session, identities, vaultKey, pins: contents.pins };
};

export const registerAccount = async (deps: AccountDeps, username: string, password: string) => {
  const kdf = newClientKdf(deps.random);
  const { loginSecret, vaultKey } = await deriveAccountKeys(password, kdf, deps.argon2id);
  const session = await call(() =>
    deps.api.trpc.auth.register.mutate({ username, password: loginSecret, client_kdf: kdf }),
  );
  return finish(deps, session, vaultKey);
};

export const loginAccount = async (deps: AccountDeps, username: string, password: string) => {
  const kdf = await call(() => deps.api.trpc.auth.prelogin.mutate({ username }));
  const { version: _v, ...params } = kdf;
  const { loginSecret, vaultKey } = await deriveAccountKeys(password, params, deps.argon2id);
  const session = await call(() =>
    deps.api.trpc.auth.login.mutate({ username, password: loginSecret }),
  ).catch((err) => {
    if (err instanceof LockboxApiError && err.code === 'invalid_credentials')
      throw new SessionError('wrong_password', 'invalid username or password');
    throw err;
  });
  return finish(deps, session, vaultKey);
};

const wrongPassword = (err: unknown) => {
  if (err instanceof LockboxApiError && err.code === 'invalid_credentials')
    throw new SessionError('wrong_password', 'invalid username or password');
  throw err;
};

/**
 * Changes the password: re-derives both keys under a fresh salt and re-seals
 * the vault; the server swaps login secret, KDF parameters and vault in one
 * transaction (and ends this account's other sessions).
 */
export const changeAccountPassword = async (
  deps: AccountDeps,
  user: { id: string; username: string },
  currentPassword: string,
  newPassword: string,
): Promise<{ vaultKey: Uint8Array }> => {
  const { trpc } = deps.api;
  const { version: _v, ...currentKdf } = await call(() =>
    trpc.auth.prelogin.mutate({ username: user.username }),
  );
  const current = await deriveAccountKeys(currentPassword, currentKdf, deps.argon2id);
  const stored = await call(() => trpc.vault.get.query());
  if (!stored.vault)
    throw new SessionError('vault_locked', 'this account has no vault yet; sign in again first');
  let contents: VaultContents;
  try {
    contents = openVaultContents(user.id, current.vaultKey, stored.vault);
  } catch {
    throw new SessionError('wrong_password', 'the current password is wrong');
  }
  const kdf = newClientKdf(deps.random);
  const next = await deriveAccountKeys(newPassword, kdf, deps.argon2id);
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: current.loginSecret,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(user.id, next.vaultKey, contents.identities, deps.random, contents.pins),
      expected_vault_version: stored.version,
    }),
  ).catch(wrongPassword);
  return { vaultKey: next.vaultKey };
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
  const session = await call(() => trpc.auth.login.mutate({ username, password: currentPassword })).catch(
    wrongPassword,
  );
  await deps.api.tokens.save(session);
  const stored = await call(() => trpc.vault.get.query());
  if (stored.vault)
    throw new SessionError('vault_locked', 'this account already has end-to-end keys: use login instead');
  const kdf = newClientKdf(deps.random);
  const next = await deriveAccountKeys(newPassword, kdf, deps.argon2id);
  const identity = generateIdentity(deps.random);
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: currentPassword,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(session.user.id, next.vaultKey, [identity.secrets], deps.random),
      expected_vault_version: 0,
    }),
  );
  await ensurePublished(deps, session.user, identity);
  return { session, identities: [identity], vaultKey: next.vaultKey, pins: [] };
};
