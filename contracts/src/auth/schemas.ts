/** Wire shapes of the auth service (snake_case, as the original LockBox clients expect). */
import { z } from 'zod';
import { PASSWORD_MAX, ZPassword, ZUsername, zBase64, zBase64Bytes, zLimit } from '../fields';
import { ZUserId, zId } from '../ids';

export const ZUser = z.object({ id: ZUserId, username: z.string() });
export type TUser = z.infer<typeof ZUser>;

/**
 * Which salt argon2id runs with (docs/SECURITY.md 9.2, "KDF parameters"):
 * 1 = the server's salt as is (accounts made before issue 11, until their next
 * login migrates them); 2 = SHA-256 of a label, the lowercased username and the
 * server's salt, so a salt the server picks or reuses serves no other account.
 */
export const KDF_VERSION_LEGACY = 1;
export const KDF_VERSION_BOUND = 2;
export const ZKdfVersion = z.union([z.literal(KDF_VERSION_LEGACY), z.literal(KDF_VERSION_BOUND)]);
export type TKdfVersion = z.infer<typeof ZKdfVersion>;

/** argon2id parameters the client uses to turn a password into its master key (see docs/SECURITY.md). */
export const ZClientKdf = z.strictObject({
  algorithm: z.literal('argon2id'),
  salt: zBase64Bytes(16),
  memory_kib: z.number().int().min(19_456).max(1_048_576),
  iterations: z.number().int().min(2).max(16),
  parallelism: z.number().int().min(1).max(4),
  /** Absent from SDKs older than issue 11: those accounts are version 1. */
  version: ZKdfVersion.optional(),
});
export type TClientKdf = z.infer<typeof ZClientKdf>;

export const ZRegisterRequestSchema = z.strictObject({
  username: ZUsername,
  password: ZPassword,
  /** Set by the SDK, which sends a derived login secret as `password`; absent for curl users. */
  client_kdf: ZClientKdf.optional(),
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequestSchema>;

/** Login does not re-check the username pattern: a wrong name is just wrong credentials. */
export const ZLoginRequestSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`),
});
export type TLoginRequest = z.infer<typeof ZLoginRequestSchema>;

export const ZSessionResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  user: ZUser,
});
export type TSessionResponse = z.infer<typeof ZSessionResponseSchema>;

/**
 * One of the caller's live sessions: when it began and when it lapses unless
 * refreshed. Never token material: a listed session can't be taken over.
 */
export const ZActiveSession = z.object({
  id: zId('session'),
  created_at: z.string(),
  expires_at: z.string(),
  /** True for the session of the access token that asked. */
  current: z.boolean(),
});
export type TActiveSession = z.infer<typeof ZActiveSession>;
export const ZActiveSessionsResponseSchema = z.array(ZActiveSession);

export const ZRefreshRequestSchema = z.strictObject({ refresh_token: z.string().min(1).max(256) });

export const ZVerifyRequestSchema = z.strictObject({ token: z.string().min(1).max(4096) });

export const ZPreloginRequestSchema = z.strictObject({ username: z.string().min(1).max(64) });
/**
 * The wire shape only: numbers are positive integers, not the server's ranges.
 * A client applies its own floor and ceiling (and refuses with a KDF-specific
 * error), so a hostile "1 MiB, 1 pass" answer is named for what it is.
 */
export const ZPreloginResponseSchema = z.object({
  algorithm: z.literal('argon2id'),
  salt: zBase64Bytes(16),
  memory_kib: z.number().int().positive(),
  iterations: z.number().int().positive(),
  parallelism: z.number().int().positive(),
  version: ZKdfVersion,
});
export type TPreloginResponse = z.infer<typeof ZPreloginResponseSchema>;

/**
 * Self-signed public identity (DESIGN §4): Ed25519 signing key, hybrid X25519 + ML-KEM-768 encryption key.
 * Version 2 also signs the owner's canonical (lowercase) username, so a server cannot list one account's
 * keys under another's name; version 1 (no username) is legacy: still served and read, never published anew.
 */
const keyBundleFields = {
  identity_key: zBase64Bytes(32),
  x25519_key: zBase64Bytes(32),
  mlkem768_key: zBase64Bytes(1184),
  created_at: z.iso.datetime(),
  signature: zBase64Bytes(64),
};
export const ZKeyBundleV1Schema = z.strictObject({ version: z.literal(1), ...keyBundleFields });
export const ZKeyBundleV2Schema = z.strictObject({
  version: z.literal(2),
  /** The owner's username, lowercase: what the identity key vouches it belongs to. */
  username: ZUsername.refine((u) => u === u.toLowerCase(), 'username must be lowercase'),
  ...keyBundleFields,
});
export const ZKeyBundleSchema = z.discriminatedUnion('version', [ZKeyBundleV1Schema, ZKeyBundleV2Schema]);
export type TKeyBundleV1 = z.infer<typeof ZKeyBundleV1Schema>;
export type TKeyBundleV2 = z.infer<typeof ZKeyBundleV2Schema>;
export type TKeyBundle = z.infer<typeof ZKeyBundleSchema>;

const publishedFields = { user_id: ZUserId, published_at: z.string() };
export const ZPublishedKeyBundleSchema = z.discriminatedUnion('version', [
  ZKeyBundleV1Schema.extend(publishedFields),
  ZKeyBundleV2Schema.extend(publishedFields),
]);
export type TPublishedKeyBundle = z.infer<typeof ZPublishedKeyBundleSchema>;

export const ZGetKeysRequestSchema = z.strictObject({ user_id: ZUserId });

export const VAULT_MAX_BASE64 = 256 * 1024;
export const ZVaultSchema = z.object({
  vault: z.string().nullable(),
  version: z.number().int().min(0),
  updated_at: z.string().nullable(),
});
export type TVault = z.infer<typeof ZVaultSchema>;
export const ZPutVaultRequestSchema = z.strictObject({
  vault: zBase64(VAULT_MAX_BASE64),
  /** Optimistic concurrency: the version the client last read; a stale write gets 409. */
  expected_version: z.number().int().min(0).optional(),
});

/**
 * Change the caller's password. The SDK sends the new login secret as
 * `new_password`, the new KDF parameters (fresh salt) and the vault re-sealed
 * under the new vault key; all three change in one transaction, so the vault
 * always opens with the password that logs in. Other sessions end.
 */
export const ZChangePasswordRequestSchema = z.strictObject({
  current_password: z
    .string()
    .min(1)
    .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`),
  new_password: ZPassword,
  /** Required when the account already has client KDF parameters (an SDK account). */
  client_kdf: ZClientKdf.optional(),
  vault: zBase64(VAULT_MAX_BASE64).optional(),
  /** Optimistic concurrency for `vault`, as in `PUT /auth/vault`. */
  expected_vault_version: z.number().int().min(0).optional(),
});
export type TChangePasswordRequest = z.infer<typeof ZChangePasswordRequestSchema>;

export const ZSearchUsersRequestSchema = z.strictObject({
  q: z.string().min(1).max(32),
  limit: zLimit(20, 50),
  /** Keyset pagination: the last username of the previous page. */
  after: z.string().max(32).optional(),
});
export const ZSearchUsersResponseSchema = z.array(ZUser);

export const ZJwksSchema = z.object({
  keys: z.array(
    z.object({
      kty: z.string(),
      crv: z.string().optional(),
      x: z.string().optional(),
      kid: z.string(),
      alg: z.string(),
      use: z.string(),
    }),
  ),
});

export const ZEmpty = z.strictObject({}).optional();
export const ZNoContent = z.null();

/** Internal: batch lookups other services use. */
export const ZUsersByIdsRequestSchema = z.strictObject({ ids: z.array(ZUserId).min(1).max(200) });
export const ZUsersByNamesRequestSchema = z.strictObject({
  usernames: z.array(z.string().min(1).max(64)).min(1).max(200),
});
export const ZUsersResponseSchema = z.array(ZUser);

/** Internal: sessions revoked since a cursor, so other services can refuse their still-unexpired tokens. */
export const ZRevocationsRequestSchema = z.strictObject({ after: z.number().int().min(0) });
export const ZRevocationsResponseSchema = z.object({
  cursor: z.number().int(),
  revoked: z.array(z.object({ session_id: z.string(), user_id: ZUserId })),
});
