/**
 * The account's E2E v2 history archive key (v2/archive.ts), kept inside the vault contents so
 * only the password opens it and a password change keeps it. Read from the vault at every engine
 * start (a new device has nothing else); generated and sealed into the vault once, by the first
 * device that finds none (a vault write conflict means another device wrote meanwhile: read again,
 * it may have put one there).
 */
import type { LockboxTrpc } from '../api/client';
import { call, LockboxApiError } from '../api/errors';
import { openVaultContents, type RandomSource, sealVault } from '../crypto';
import { generateArchiveKey } from '../v2/archive';
import type { Profile } from './profile';
import { checkVaultFresh, nextVaultCounter, rememberVault } from './vault-freshness';

export const archiveKeyFromVault = async (
  trpc: LockboxTrpc,
  profile: Profile,
  me: string,
  random: RandomSource,
): Promise<Uint8Array | undefined> => {
  const vaultKey = await profile.vaultKey(me);
  if (!vaultKey) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await call(() => trpc.vault.get.query());
    if (!stored.vault) return undefined;
    const contents = openVaultContents(me, vaultKey, stored.vault);
    await checkVaultFresh(profile, me, contents);
    if (contents.archiveKey !== undefined) return contents.archiveKey;
    const archiveKey = generateArchiveKey();
    const counter = await nextVaultCounter(profile, me, contents.counter);
    try {
      await call(() =>
        trpc.vault.put.mutate({
          vault: sealVault(
            me,
            vaultKey,
            { identities: contents.identities, pins: contents.pins, counter, archiveKey },
            random,
          ),
          expected_version: stored.version,
        }),
      );
      await rememberVault(profile, me, counter);
      return archiveKey;
    } catch (err) {
      if (!(err instanceof LockboxApiError && err.code === 'conflict')) throw err;
    }
  }
  return undefined;
};
