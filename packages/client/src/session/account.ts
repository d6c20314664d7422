/**
 * Account flows with zero-knowledge credentials (docs/SECURITY.md "Vault"):
 * register derives a login secret and a vault key from the password under a
 * fresh argon2id salt; login asks prelogin for that salt and derives them
 * again; either way the identity seeds travel only inside the vault, and the
 * public bundle is (re)published when the directory lacks it. Prelogin's
 * answer is checked (floor, ceiling, what this device remembers) before any
 * derivation, see kdf-guard.ts; the parameters a sign-in used are remembered.
 */
import type { TClientKdf, TSessionResponse } from '@lockbox/contracts';
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
import { fetchAccountKdf, type KdfCheckOptions, type KdfMemory } from './kdf-guard';

export interface AccountDeps {
  api: LockboxApi;
  random: RandomSource;
  argon2id: Argon2id;
  /** The KDF parameters this device remembers per account (the Profile). */
  kdfMemory: KdfMemory;
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

/** Publishes our bundle unless the directory already holds exactly it. */
export const ensurePublished = async (deps: AccountDeps, userId: string, identity: Identity) => {
  const bundle = signKeyBundle(userId, identity);
  const published = await call(() => deps.api.trpc.keys.get.query({ user_id: userId })).catch((err) => {
    if (err instanceof LockboxApiError && err.code === 'not_found') return undefined;
    throw err;
  });
  const same =
    published &&
    published.identity_key === bundle.identity_key &&
    published.x25519_key === bundle.x25519_key &&
    published.mlkem768_key === bundle.mlkem768_key;
  if (!same) await call(() => deps.api.trpc.keys.publish.mutate(bundle));
};

/** The salt is bound to the name typed here: a session for another name would bind it to the wrong one. */
const sameAccount = (session: TSessionResponse, username: string): TSessionResponse => {
  if (session.user.username.toLowerCase() !== username.toLowerCase())
    throw new LockboxApiError(
      'invalid_response',
      `the server signed you in as ${session.user.username}, not ${username}`,
      undefined,
    );
  return session;
};

const finish = async (
  deps: AccountDeps,
  session: TSessionResponse,
  vaultKey: Uint8Array,
): Promise<SignedIn> => {
  await deps.api.tokens.save(session);
  const contents = await loadOrCreateVault(deps, session.user.id, vaultKey);
  const identities = contents.identities.map(identityFromSecrets);
  await ensurePublished(deps, session.user.id, identities[0] as Identity);
  return { session, identities, vaultKey, pins: contents.pins };
};

export const registerAccount = async (deps: AccountDeps, username: string, password: string) => {
  const kdf = newClientKdf(deps.random);
  const { loginSecret, vaultKey } = await deriveAccountKeys(password, kdf, deps.argon2id, username);
  const session = sameAccount(
    await call(() =>
      deps.api.trpc.auth.register.mutate({ username, password: loginSecret, client_kdf: kdf }),
    ),
    username,
  );
  await deps.kdfMemory.rememberKdf(username, kdf);
  return finish(deps, session, vaultKey);
};

/**
 * Signs in with the parameters prelogin answers, once kdf-guard accepts them.
 * Returns the parameters used: a legacy (version 1) account is then migrated
 * by kdf-migration.ts, with the same password.
 */
export const loginAccount = async (
  deps: AccountDeps,
  username: string,
  password: string,
  opts: KdfCheckOptions = {},
): Promise<SignedIn & { kdf: TClientKdf }> => {
  const kdf = await fetchAccountKdf(deps.api, deps.kdfMemory, username, opts);
  const { loginSecret, vaultKey } = await deriveAccountKeys(password, kdf, deps.argon2id, username);
  const session = await call(() =>
    deps.api.trpc.auth.login.mutate({ username, password: loginSecret }),
  ).catch((err) => {
    if (err instanceof LockboxApiError && err.code === 'invalid_credentials')
      throw new SessionError('wrong_password', 'invalid username or password');
    throw err;
  });
  sameAccount(session, username);
  await deps.kdfMemory.rememberKdf(username, kdf);
  return { ...(await finish(deps, session, vaultKey)), kdf };
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
  const currentKdf = await fetchAccountKdf(deps.api, deps.kdfMemory, user.username);
  const current = await deriveAccountKeys(currentPassword, currentKdf, deps.argon2id, user.username);
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
  const next = await deriveAccountKeys(newPassword, kdf, deps.argon2id, user.username);
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: current.loginSecret,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(user.id, next.vaultKey, contents.identities, deps.random, contents.pins),
      expected_vault_version: stored.version,
    }),
  ).catch(wrongPassword);
  // This device made the change: it is the new normal, not an attack.
  await deps.kdfMemory.rememberKdf(user.username, kdf);
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
  await call(() =>
    trpc.auth.changePassword.mutate({
      current_password: currentPassword,
      new_password: next.loginSecret,
      client_kdf: kdf,
      vault: sealVault(session.user.id, next.vaultKey, [identity.secrets], deps.random),
      expected_vault_version: 0,
    }),
  );
  await deps.kdfMemory.rememberKdf(username, kdf);
  await ensurePublished(deps, session.user.id, identity);
  return { session, identities: [identity], vaultKey: next.vaultKey, pins: [] };
};
