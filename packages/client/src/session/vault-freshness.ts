/**
 * What a device remembers about each account's vault, and the checks that
 * memory makes possible against a lying server (docs/SECURITY.md §9.2, "Vault
 * versions"):
 * - a vault whose counter is lower than the highest this device saw is an old
 *   copy replayed by the server (it may lack a pin, or hold a pin from before
 *   an accepted key change): refused as `vault_rollback`, as is a v1 vault
 *   (counter 0) once a v2 one was seen (a downgrade);
 * - "no vault" for an account this device saw a vault for is reported loudly,
 *   with the date it was seen.
 * The memory is kept per user id (plus the username, to find it when the
 * server hands the name another id) and survives sign-out. A device that never
 * saw the account has nothing to compare with: its first vault is trusted.
 */
import type { VaultContents } from '../crypto';
import { SessionError } from './errors';
import type { Profile } from './profile';

const day = (iso: string) => iso.slice(0, 10);

/** "no vault": carries when this device last saw one for the account, if it ever did. */
export class NoVaultError extends SessionError {
  constructor(
    readonly username: string,
    readonly seenAt?: string,
  ) {
    super(
      'no_vault',
      seenAt
        ? `the server says ${username} has no key vault, but this device saw a vault for this account on ${day(seenAt)}: ` +
            'the server may be lying. Nothing was created or sent; your keys are not replaced unless you reset your identity yourself'
        : `the server says ${username} has no key vault. Nothing was created or sent; ` +
            'if the keys are really lost, reset the identity explicitly (contacts will see a key change)',
    );
  }
}

/** Refuses a vault older than the newest one this device saw for the account. */
export const checkVaultFresh = async (
  profile: Profile,
  userId: string,
  vault: Pick<VaultContents, 'counter' | 'format'>,
): Promise<void> => {
  const seen = await profile.vaultSeen(userId);
  if (!seen || vault.counter >= seen.counter) return;
  throw new SessionError(
    'vault_rollback',
    vault.format === 1
      ? `the server served an old-format (v1) key vault, but this device already saw version ${seen.counter} ` +
          `of this account's vault on ${day(seen.last_seen)}: refused as a downgrade (an old vault can bring back old pins)`
      : `the server served version ${vault.counter} of the key vault, but this device already saw version ` +
          `${seen.counter} on ${day(seen.last_seen)}: refused as a rollback (an old vault can bring back old pins)`,
  );
};

/** Records a vault this device opened or wrote (the counter only ever grows). */
export const rememberVault = async (
  profile: Profile,
  userId: string,
  counter: number,
  username?: string,
): Promise<void> => {
  const seen = await profile.vaultSeen(userId);
  const now = new Date().toISOString();
  await profile.setVaultSeen(userId, {
    username: username ?? seen?.username ?? '',
    counter: Math.max(seen?.counter ?? 0, counter),
    first_seen: seen?.first_seen ?? now,
    last_seen: now,
  });
};

/** The counter the next write must carry: above both the vault just read and anything seen here. */
export const nextVaultCounter = async (profile: Profile, userId: string, current = 0): Promise<number> =>
  Math.max(current, (await profile.vaultSeen(userId))?.counter ?? 0) + 1;

/** The error for a "no vault" answer, louder when this device remembers a vault for the account. */
export const noVaultError = async (profile: Profile, userId: string, username: string) => {
  const seen = (await profile.vaultSeen(userId)) ?? (await profile.vaultSeenByUsername(username));
  return new NoVaultError(username, seen?.last_seen);
};
