/**
 * An account made the way SDKs did before issue 11: argon2id with the server
 * salt as is (no KDF version stored), a vault and a published bundle, all
 * through the real API. It returns a signed-in session over the device store
 * that registration filled, so the test can chat with it like any user; the
 * new SDK then signs in from another device and must migrate it.
 */
import type { Stack } from '@lockbox/testkit';
import { createLockboxApi } from '../../src/api/client';
import { deriveAccountKeys, generateIdentity, newClientKdf, signKeyBundle } from '../../src/crypto';
import { nodeWebSocket } from '../../src/node';
import { Profile } from '../../src/session/profile';
import { LockboxSession } from '../../src/session/session';
import { MemoryStore } from '../../src/store/memory';
import { sealVaultV1 } from './vault-v1';

export const registerLegacyAccount = async (stack: Stack, username: string, password: string) => {
  const store = new MemoryStore();
  const api = createLockboxApi({ baseUrl: stack.gatewayUrl, store });
  const { version: _bound, ...legacyKdf } = newClientKdf();
  const keys = await deriveAccountKeys(password, legacyKdf);
  const session = await api.trpc.auth.register.mutate({
    username,
    password: keys.loginSecret,
    client_kdf: legacyKdf,
  });
  await api.tokens.save(session);
  const userId = session.user.id;
  const identity = generateIdentity();
  await api.trpc.vault.put.mutate({
    vault: sealVaultV1(userId, keys.vaultKey, [identity.secrets]),
    expected_version: 0,
  });
  // The directory takes only version 2 bundles now; the account is legacy in its KDF and vault.
  await api.trpc.keys.publish.mutate(signKeyBundle(userId, username, identity));
  const profile = new Profile(store);
  await profile.setAccount({ user_id: userId, username });
  await profile.setIdentities(userId, [identity.secrets]);
  await profile.setVaultKey(userId, keys.vaultKey);
  const signedIn = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store, webSocket: nodeWebSocket });
  return { session: signedIn, legacyKdf, userId };
};
