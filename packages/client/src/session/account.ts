/**
 * Account flows with zero-knowledge credentials (docs/SECURITY.md "Vault"):
 * register derives a login secret and a vault key from the password under a
 * fresh argon2id salt; login asks prelogin for that salt and derives them
 * again; either way the identity seeds travel only inside the vault, and the
 * public bundle is (re)published when the directory lacks it. Prelogin's
 * answer is checked (floor, ceiling, what this device remembers) before any
 * derivation, see kdf-guard.ts; the parameters a sign-in used are remembered.
 * Sign-in never makes keys: only register, the explicit reset identity and a
 * password change with rotation do (docs/SECURITY.md §9.2, slice "vault").
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
import type { Profile } from './profile';
import { checkVaultFresh, nextVaultCounter, noVaultError, rememberVault } from './vault-freshness';

export interface AccountDeps {
  api: LockboxApi;
  random: RandomSource;
  argon2id: Argon2id;
  /** The KDF parameters this device remembers per account (the Profile). */
  kdfMemory: KdfMemory;
  /** This device's memory of each account's vault (rollback and "no vault" checks). */
  profile: Profile;
}

export interface SignedIn {
  session: TSessionResponse;
  identities: Identity[];
  /** Kept on the device so pins can be added to the vault later (never sent anywhere). */
  vaultKey: Uint8Array;
  /** The pinned contact keys stored in the vault (unchecked records; the session validates them). */
  pins: Record<string, unknown>[];
}

interface VaultUser {
  id: string;
  username: string;
}

/** How sign-in gets the account's keys: open the stored vault, write the first one, or reset the identity. */
type VaultStep = (deps: AccountDeps, user: VaultUser, vaultKey: Uint8Array) => Promise<VaultContents>;

const openOrLocked = (userId: string, vaultKey: Uint8Array, vault: string): VaultContents => {
  try {
    return openVaultContents(userId, vaultKey, vault);
  } catch (err) {
    if (err instanceof CryptoError && err.code === 'decrypt_failed')
      throw new SessionError('vault_locked', 'the key vault does not open with this password');
    throw err;
  }
};

/**
 * Login: opens the vault the server holds, refusing one older than this device
 * has seen. "No vault" is an error, never a reason to make new keys: a hostile
 * server would otherwise make us abandon our identity (resetIdentity is the
 * explicit way).
 */
const openStoredVault: VaultStep = async (deps, user, vaultKey) => {
  const stored = await call(() => deps.api.trpc.vault.get.query());
  if (!stored.vault) throw await noVaultError(deps.profile, user.id, user.username);
  const contents = openOrLocked(user.id, vaultKey, stored.vault);
  await checkVaultFresh(deps.profile, user.id, contents);
  await rememberVault(deps.profile, user.id, contents.counter, user.username);
  return contents;
};

/** Register: the new account's first vault, holding the identity made here. */
const writeFirstVault: VaultStep = async (deps, user, vaultKey) => {
  const identities = [generateIdentity(deps.random).secrets];
  const counter = await nextVaultCounter(deps.profile, user.id);
  await call(() =>
    deps.api.trpc.vault.put.mutate({
      vault: sealVault(user.id, vaultKey, { identities, counter }, deps.random),
      expected_version: 0,
    }),
  );
  await rememberVault(deps.profile, user.id, counter, user.username);
  return { identities, pins: [], counter, format: 2 };
};

/**
 * The explicit "reset identity": a fresh identity becomes current. If a vault
 * still opens, its identities (history) and pins are kept behind the new one;
 * if the server has none (a register that stopped half-way, or a lost vault),
 * the new identity is the only one.
 */
const resetIdentityVault: VaultStep = async (deps, user, vaultKey) => {
  const stored = await call(() => deps.api.trpc.vault.get.query());
  const kept = stored.vault ? openOrLocked(user.id, vaultKey, stored.vault) : undefined;
  if (kept) await checkVaultFresh(deps.profile, user.id, kept);
  const identities = [generateIdentity(deps.random).secrets, ...(kept?.identities ?? [])];
  const pins = kept?.pins ?? [];
  const counter = await nextVaultCounter(deps.profile, user.id, kept?.counter);
  await call(() =>
    deps.api.trpc.vault.put.mutate({
      vault: sealVault(
        user.id,
        vaultKey,
        { identities, pins, counter, archiveKey: kept?.archiveKey },
        deps.random,
      ),
      expected_version: stored.version,
    }),
  );
  await rememberVault(deps.profile, user.id, counter, user.username);
  return { identities, pins, counter, format: 2 };
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

/** The salt is bound to the name typed here: a session for another name would bind it to the wrong one. */
export const sameAccount = (session: TSessionResponse, username: string): TSessionResponse => {
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
  vaultStep: VaultStep = openStoredVault,
): Promise<SignedIn> => {
  await deps.api.tokens.save(session);
  const contents = await vaultStep(deps, session.user, vaultKey);
  const identities = contents.identities.map(identityFromSecrets);
  await ensurePublished(deps, session.user, identities[0] as Identity);
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
  return finish(deps, session, vaultKey, writeFirstVault);
};

export const wrongPassword = (err: unknown) => {
  if (err instanceof LockboxApiError && err.code === 'invalid_credentials')
    throw new SessionError('wrong_password', 'invalid username or password');
  throw err;
};

/**
 * Signs in with the parameters prelogin answers, once kdf-guard accepts them.
 * Returns the parameters used: a legacy (version 1) account is then migrated
 * by kdf-migration.ts, with the same password. With `resetIdentity`, a fresh
 * identity replaces the current one (an explicit user decision).
 */
export const loginAccount = async (
  deps: AccountDeps,
  username: string,
  password: string,
  opts: KdfCheckOptions & { resetIdentity?: boolean } = {},
): Promise<SignedIn & { kdf: TClientKdf }> => {
  const kdf = await fetchAccountKdf(deps.api, deps.kdfMemory, username, opts);
  const { loginSecret, vaultKey } = await deriveAccountKeys(password, kdf, deps.argon2id, username);
  const session = await call(() =>
    deps.api.trpc.auth.login.mutate({ username, password: loginSecret }),
  ).catch(wrongPassword);
  sameAccount(session, username);
  await deps.kdfMemory.rememberKdf(username, kdf);
  const signedIn = await finish(
    deps,
    session,
    vaultKey,
    opts.resetIdentity ? resetIdentityVault : openStoredVault,
  );
  return { ...signedIn, kdf };
};
