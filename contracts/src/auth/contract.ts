/** The auth service's procedures: public REST surface (API.md "Auth") and internal lookups. */
import { mutation, query } from '../contract';
import { defineServiceContract } from '../service-contract';
import * as a from './archive';
import * as d from './devices';
import * as k from './key-packages';
import * as s from './schemas';

export const authContract = {
  auth: {
    register: mutation({
      access: 'public',
      summary: 'Create an account; answers with a session',
      input: s.ZRegisterRequestSchema,
      output: s.ZSessionResponseSchema,
      rest: { method: 'POST', path: '/auth/register', status: 201 },
    }),
    login: mutation({
      access: 'public',
      summary: 'Sign in with username and password (or the SDK-derived login secret)',
      input: s.ZLoginRequestSchema,
      output: s.ZSessionResponseSchema,
      rest: { method: 'POST', path: '/auth/login' },
    }),
    refresh: mutation({
      access: 'public',
      summary: 'Trade a refresh token for a new session; the old one is spent',
      input: s.ZRefreshRequestSchema,
      output: s.ZSessionResponseSchema,
      rest: { method: 'POST', path: '/auth/refresh' },
    }),
    logout: mutation({
      access: 'user',
      summary: "End the caller's session: its tokens stop working",
      input: s.ZEmpty,
      output: s.ZNoContent,
      rest: { method: 'POST', path: '/auth/logout', status: 204 },
    }),
    me: query({
      access: 'user',
      summary: 'Who the access token belongs to',
      input: s.ZEmpty,
      output: s.ZUser,
      rest: { method: 'GET', path: '/auth/me' },
    }),
    sessions: query({
      access: 'user',
      summary: "The caller's live sessions, oldest first; `current` marks the one asking. No token material",
      input: s.ZEmpty,
      output: s.ZActiveSessionsResponseSchema,
      rest: { method: 'GET', path: '/auth/sessions' },
    }),
    verify: query({
      access: 'public',
      summary: 'Check an access token (kept from the original LockBox); never logged',
      input: s.ZVerifyRequestSchema,
      output: s.ZUser,
      rest: { method: 'GET', path: '/auth/verify/{token}' },
    }),
    prelogin: mutation({
      access: 'public',
      summary: "The account's client KDF parameters (same shape for unknown users)",
      input: s.ZPreloginRequestSchema,
      output: s.ZPreloginResponseSchema,
      rest: { method: 'POST', path: '/auth/prelogin' },
    }),
    changePassword: mutation({
      access: 'user',
      summary:
        "Change the caller's password (with the SDK: new KDF parameters and the re-sealed vault, atomically); the caller's other sessions end",
      input: s.ZChangePasswordRequestSchema,
      output: s.ZNoContent,
      rest: { method: 'POST', path: '/auth/password', status: 204 },
    }),
    jwks: query({
      access: 'public',
      summary: 'Public keys that verify access tokens',
      input: s.ZEmpty,
      output: s.ZJwksSchema,
      rest: { method: 'GET', path: '/auth/.well-known/jwks.json' },
    }),
  },
  keys: {
    publish: mutation({
      access: 'user',
      summary: "Publish the caller's self-signed public key bundle",
      input: s.ZKeyBundleSchema,
      output: s.ZPublishedKeyBundleSchema,
      rest: { method: 'POST', path: '/auth/keys', status: 201 },
    }),
    get: query({
      access: 'user',
      summary: "A user's current public key bundle",
      input: s.ZGetKeysRequestSchema,
      output: s.ZPublishedKeyBundleSchema,
      rest: { method: 'GET', path: '/auth/keys/{user_id}' },
    }),
  },
  vault: {
    get: query({
      access: 'user',
      summary: "The caller's encrypted key vault",
      input: s.ZEmpty,
      output: s.ZVaultSchema,
      rest: { method: 'GET', path: '/auth/vault' },
    }),
    put: mutation({
      access: 'user',
      summary: "Store the caller's encrypted key vault",
      input: s.ZPutVaultRequestSchema,
      output: s.ZVaultSchema,
      rest: { method: 'PUT', path: '/auth/vault' },
    }),
  },
  users: {
    search: query({
      access: 'user',
      summary: 'Find users by username prefix, paginated',
      input: s.ZSearchUsersRequestSchema,
      output: s.ZSearchUsersResponseSchema,
      rest: { method: 'GET', path: '/users/search' },
    }),
  },
  devices: {
    register: mutation({
      access: 'user',
      summary:
        "Add a device to the caller's signed device list (the previous list plus it) and bind the caller's session to it",
      input: d.ZRegisterDeviceRequestSchema,
      output: d.ZRegisterDeviceResponseSchema,
      rest: { method: 'POST', path: '/auth/devices', status: 201 },
    }),
    mine: query({
      access: 'user',
      summary: "The caller's signed device list and what the server observed of each device",
      input: s.ZEmpty,
      output: d.ZMyDevicesResponseSchema,
      rest: { method: 'GET', path: '/auth/devices' },
    }),
    list: query({
      access: 'user',
      summary: "A user's current signed device list (verify it against the pinned identity key)",
      input: d.ZListDevicesRequestSchema,
      output: d.ZDeviceListResponseSchema,
      rest: { method: 'GET', path: '/auth/devices/{user_id}' },
    }),
    update: mutation({
      access: 'user',
      summary:
        'Store the next version of the signed device list; devices left out are revoked (sessions, KeyPackages) in the same transaction',
      input: d.ZUpdateDeviceListRequestSchema,
      output: d.ZUpdateDeviceListResponseSchema,
      rest: { method: 'PUT', path: '/auth/devices' },
    }),
  },
  keyPackages: {
    upload: mutation({
      access: 'user',
      summary: "Add one-time KeyPackages (and replace the last-resort one) for the caller's session device",
      input: k.ZUploadKeyPackagesRequestSchema,
      output: k.ZKeyPackageCountSchema,
      rest: { method: 'POST', path: '/auth/key-packages', status: 201 },
    }),
    count: query({
      access: 'user',
      summary:
        "How many one-time KeyPackages the caller's session device has left, and whether a last-resort one",
      input: s.ZEmpty,
      output: k.ZKeyPackageCountSchema,
      rest: { method: 'GET', path: '/auth/key-packages/count' },
    }),
    claim: mutation({
      access: 'user',
      summary:
        'One KeyPackage per device of a user (each one-time KeyPackage handed out exactly once; the last-resort one when the pool is empty)',
      input: k.ZClaimKeyPackagesRequestSchema,
      output: k.ZClaimKeyPackagesResponseSchema,
      rest: { method: 'POST', path: '/auth/key-packages/claim' },
    }),
  },
  archive: {
    append: mutation({
      access: 'user',
      summary:
        "Store encrypted history segments (only when the caller's signed device list says archive=true)",
      input: a.ZAppendArchiveRequestSchema,
      output: a.ZAppendArchiveResponseSchema,
      rest: { method: 'POST', path: '/auth/archive', status: 201 },
    }),
    list: query({
      access: 'user',
      summary: "The caller's encrypted history segments, oldest first, keyset-paginated",
      input: a.ZListArchiveRequestSchema,
      output: a.ZListArchiveResponseSchema,
      rest: { method: 'GET', path: '/auth/archive' },
    }),
    clear: mutation({
      access: 'user',
      summary: "Delete the caller's whole history archive",
      input: s.ZEmpty,
      output: s.ZNoContent,
      rest: { method: 'DELETE', path: '/auth/archive', status: 204 },
    }),
  },
  internal: {
    usersByIds: query({
      access: 'internal',
      summary: 'Batch lookup by id',
      input: s.ZUsersByIdsRequestSchema,
      output: s.ZUsersResponseSchema,
    }),
    usersByUsernames: query({
      access: 'internal',
      summary: 'Batch lookup by username (case-insensitive)',
      input: s.ZUsersByNamesRequestSchema,
      output: s.ZUsersResponseSchema,
    }),
    revocationsSince: query({
      access: 'internal',
      summary: 'Sessions revoked after a cursor',
      input: s.ZRevocationsRequestSchema,
      output: s.ZRevocationsResponseSchema,
    }),
    deviceActive: query({
      access: 'internal',
      summary: "Whether a device is on the user's list and not revoked",
      input: d.ZDeviceActiveRequestSchema,
      output: d.ZDeviceActiveResponseSchema,
    }),
  },
};

export type AuthContract = typeof authContract;

/** The gateway sends `/auth/…` and `/users/…` to the auth service. */
export const authServiceContract = defineServiceContract('auth', {
  publicPrefixes: ['/auth', '/users'],
  tree: authContract,
});
