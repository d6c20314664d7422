/**
 * Typed access to what one account keeps in its store:
 * - `account`: who is signed in here (user id, username);
 * - `identity`: this account's identity seeds (plaintext on this device; the
 *   server only ever holds them inside the vault);
 * - `pin.<me>.<contact>`: the contact identity keys pinned on first use;
 * - `vault-key`: the key the vault is sealed with, so new pins can be added to it;
 * - `cursor.<me>`: the realtime position of the last message handled;
 * - `kdf.<lowercase username>`: the KDF parameters and salt this device last
 *   used for that account (session/kdf-guard.ts); kept across sign-out.
 * - `vault-seen.<me>`: the highest vault counter this device saw for that
 *   account and when it first/last saw a vault (kept across sign-out: it is
 *   what catches a rolled-back vault or a "no vault" lie later).
 * - `candidate.<me>.<contact>`: the new identity key whose safety number was shown, not yet accepted.
 * Tokens live under `session` (see api/tokens.ts).
 */
import { type TClientKdf, ZKdfVersion } from '@lockbox/contracts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { fromBase64, type IdentitySecrets, toBase64, utf8 } from '../crypto';
import type { KeyValueStore } from '../store/types';

const ZAccount = z.object({ user_id: z.string(), username: z.string() });
export type Account = z.infer<typeof ZAccount>;

const ZIdentityRecord = z.object({
  user_id: z.string(),
  identities: z
    .array(z.object({ signing_seed: z.string(), kem_seed: z.string(), created_at: z.string() }))
    .min(1),
});

export const ZPin = z.object({
  user_id: z.string(),
  /**
   * The contact's canonical (lowercase) username: signed in their version 2 bundle, or (legacy
   * version 1 bundle) the name the server listed at first use. The pins together are this
   * device's username → id map (session/name-binding.ts).
   */
  username: z.string().optional(),
  /** When `username` was bound to this id by an accepted identity change (default: pinned_at). */
  username_bound_at: z.string().optional(),
  /** The identity key messages must be signed with (base64 Ed25519). */
  identity_key: z.string(),
  pinned_at: z.string(),
  /** The user compared safety numbers for this key and confirmed them. */
  verified: z.boolean(),
  /**
   * Keys pinned before an explicitly accepted change, with when they were
   * replaced: messages the server stored before then still verify; newer ones
   * signed by an old key (perhaps the reason it was replaced) do not.
   */
  previous_keys: z.array(z.object({ key: z.string(), replaced_at: z.string() })).default([]),
});
export type Pin = z.infer<typeof ZPin>;

const ZRememberedKdf = z.object({
  algorithm: z.literal('argon2id'),
  salt: z.string(),
  memory_kib: z.number(),
  iterations: z.number(),
  parallelism: z.number(),
  version: ZKdfVersion,
});

/** A store key per account name: readable when the name is a plain username, hashed otherwise. */
const kdfKey = (username: string) => {
  const lower = username.toLowerCase();
  return /^[a-z0-9_.-]{1,64}$/.test(lower)
    ? `kdf.${lower}`
    : `kdf.h-${bytesToHex(sha256(utf8(lower))).slice(0, 40)}`;
};
const ZVaultSeen = z.object({
  username: z.string(),
  /** The highest vault counter seen (0: only v1 vaults, which have none). */
  counter: z.number().int().min(0),
  first_seen: z.string(),
  last_seen: z.string(),
});
export type VaultSeen = z.infer<typeof ZVaultSeen>;

const parse = <T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined => {
  if (raw === undefined) return undefined;
  const result = schema.safeParse(JSON.parse(raw));
  return result.success ? result.data : undefined;
};

export class Profile {
  constructor(readonly store: KeyValueStore) {}

  async account(): Promise<Account | undefined> {
    return parse(ZAccount, await this.store.get('account'));
  }

  async setAccount(account: Account): Promise<void> {
    await this.store.set('account', JSON.stringify(account));
  }

  async identities(userId: string): Promise<IdentitySecrets[] | undefined> {
    const rec = parse(ZIdentityRecord, await this.store.get('identity'));
    if (!rec || rec.user_id !== userId) return undefined;
    return rec.identities.map((i) => ({
      signingSeed: fromBase64(i.signing_seed, 32),
      kemSeed: fromBase64(i.kem_seed, 32),
      createdAt: i.created_at,
    }));
  }

  async setIdentities(userId: string, identities: IdentitySecrets[]): Promise<void> {
    await this.store.set(
      'identity',
      JSON.stringify({
        user_id: userId,
        identities: identities.map((i) => ({
          signing_seed: toBase64(i.signingSeed),
          kem_seed: toBase64(i.kemSeed),
          created_at: i.createdAt,
        })),
      }),
    );
  }

  async pin(me: string, contactId: string): Promise<Pin | undefined> {
    return parse(ZPin, await this.store.get(`pin.${me}.${contactId}`));
  }

  async setPin(me: string, pin: Pin): Promise<void> {
    await this.store.set(`pin.${me}.${pin.user_id}`, JSON.stringify(pin));
  }

  async pins(me: string): Promise<Pin[]> {
    const keys = await this.store.keys(`pin.${me}.`);
    const pins = await Promise.all(keys.map(async (k) => parse(ZPin, await this.store.get(k))));
    return pins.filter((p): p is Pin => p !== undefined);
  }

  /** The vault key, kept so pins can be added to the vault without asking for the password. */
  async vaultKey(me: string): Promise<Uint8Array | undefined> {
    const rec = parse(z.object({ user_id: z.string(), key: z.string() }), await this.store.get('vault-key'));
    return rec && rec.user_id === me ? fromBase64(rec.key, 32) : undefined;
  }

  async setVaultKey(me: string, key: Uint8Array): Promise<void> {
    await this.store.set('vault-key', JSON.stringify({ user_id: me, key: toBase64(key) }));
  }

  async cursor(me: string): Promise<string | undefined> {
    return (await this.store.get(`cursor.${me}`)) ?? undefined;
  }

  async setCursor(me: string, cursor: string): Promise<void> {
    await this.store.set(`cursor.${me}`, cursor);
  }

  /** The KDF parameters this device last used for `username` (kept across sign-out). */
  async rememberedKdf(username: string): Promise<TClientKdf | undefined> {
    return parse(ZRememberedKdf, await this.store.get(kdfKey(username)));
  }

  async rememberKdf(username: string, kdf: TClientKdf): Promise<void> {
    const { algorithm, salt, memory_kib, iterations, parallelism } = kdf;
    const record = { algorithm, salt, memory_kib, iterations, parallelism, version: kdf.version ?? 1 };
    await this.store.set(kdfKey(username), JSON.stringify(record));
  }

  /** What this device remembers about an account's vault (survives sign-out). */
  async vaultSeen(userId: string): Promise<VaultSeen | undefined> {
    return parse(ZVaultSeen, await this.store.get(`vault-seen.${userId}`));
  }

  async setVaultSeen(userId: string, seen: VaultSeen): Promise<void> {
    await this.store.set(`vault-seen.${userId}`, JSON.stringify(seen));
  }

  /** The vault memory of any account this device knew under that username (case-insensitive). */
  async vaultSeenByUsername(username: string): Promise<VaultSeen | undefined> {
    const wanted = username.toLowerCase();
    for (const key of await this.store.keys('vault-seen.')) {
      const seen = parse(ZVaultSeen, await this.store.get(key));
      if (seen?.username.toLowerCase() === wanted) return seen;
    }
    return undefined;
  }

  /**
   * The identity key whose candidate safety number was last shown for a contact
   * after a key change (the CLI accepts exactly that key in a later command).
   */
  async shownCandidate(me: string, contactId: string): Promise<string | undefined> {
    return (await this.store.get(`candidate.${me}.${contactId}`)) ?? undefined;
  }

  async setShownCandidate(me: string, contactId: string, identityKey: string | undefined): Promise<void> {
    if (identityKey === undefined) await this.store.delete(`candidate.${me}.${contactId}`);
    else await this.store.set(`candidate.${me}.${contactId}`, identityKey);
  }

  /** Forgets the signed-in account on this device (keys are restorable from the vault; pins stay). */
  async signOut(me: string | undefined): Promise<void> {
    await this.store.delete('account');
    await this.store.delete('identity');
    await this.store.delete('vault-key');
    await this.store.delete('session');
    if (me) await this.store.delete(`cursor.${me}`);
  }
}
