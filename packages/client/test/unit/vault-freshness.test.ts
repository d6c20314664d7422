/**
 * The device's memory of each account's vault: it only grows, it survives
 * sign-out, and it turns an older vault into `vault_rollback` and a "no vault"
 * answer for an account it saw a vault for into a loud `no_vault`.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionError } from '../../src';
import { Profile } from '../../src/session/profile';
import {
  checkVaultFresh,
  nextVaultCounter,
  noVaultError,
  rememberVault,
} from '../../src/session/vault-freshness';

const me = 'usr_0000000000000000000000000a';

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: SessionError) => err.code,
  );

describe('vault freshness', () => {
  it('refuses a lower counter and a v1 vault once v2 was seen; accepts the same or a higher one', async () => {
    const profile = new Profile(new MemoryStore());
    expect(await codeOf(checkVaultFresh(profile, me, { counter: 0, format: 1 }))).toBe('no error');
    await rememberVault(profile, me, 5, 'alice');
    expect(await codeOf(checkVaultFresh(profile, me, { counter: 4, format: 2 }))).toBe('vault_rollback');
    expect(await codeOf(checkVaultFresh(profile, me, { counter: 0, format: 1 }))).toBe('vault_rollback');
    expect(await codeOf(checkVaultFresh(profile, me, { counter: 5, format: 2 }))).toBe('no error');
    expect(await codeOf(checkVaultFresh(profile, me, { counter: 9, format: 2 }))).toBe('no error');
  });

  it('only grows, keeps the username, and the next write goes above everything seen', async () => {
    const profile = new Profile(new MemoryStore());
    await rememberVault(profile, me, 7, 'alice');
    await rememberVault(profile, me, 3);
    expect(await profile.vaultSeen(me)).toMatchObject({ counter: 7, username: 'alice' });
    expect(await nextVaultCounter(profile, me, 2)).toBe(8);
    expect(await nextVaultCounter(profile, me, 11)).toBe(12);
  });

  it('survives sign-out, so "no vault" afterwards names the day a vault was seen', async () => {
    const profile = new Profile(new MemoryStore());
    await rememberVault(profile, me, 1, 'Alice');
    await profile.signOut(me);
    const err = await noVaultError(profile, me, 'alice');
    expect(err).toBeInstanceOf(SessionError);
    expect(err.code).toBe('no_vault');
    expect(err.message).toContain(`saw a vault for this account on ${new Date().toISOString().slice(0, 10)}`);
    // Found by username too, when the server hands the name another id.
    expect((await noVaultError(profile, 'usr_0000000000000000000000000b', 'ALICE')).seenAt).toBeDefined();
    expect((await noVaultError(new Profile(new MemoryStore()), me, 'alice')).seenAt).toBeUndefined();
  });
});
