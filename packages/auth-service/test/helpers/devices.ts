/**
 * Devices as the SDK will make them: an account with a published v2 key
 * bundle whose identity key signs device lists (field(label) || body bytes),
 * and helpers to build the next list version.
 */
import { randomBytes } from 'node:crypto';
import {
  deviceListSigningBytes,
  keyBundleSigningBytes,
  newId,
  type TDeviceListBody,
  type TDeviceListEntry,
  type TSignedDeviceList,
} from '@lockbox/contracts';
import type { Client } from '@lockbox/testkit';
import { ed25519 } from '@noble/curves/ed25519.js';
import { expect } from 'vitest';
import { type Account, type ErrorJson, login, register } from './users';

export const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64');

export interface Owner extends Account {
  /** The account identity key's secret (what the vault holds in the SDK). */
  identity: Uint8Array;
}

/** Registers an account and publishes a v2 key bundle for it. */
export const owner = async (api: Client): Promise<Owner> => {
  const account = await register(api);
  const identity = ed25519.utils.randomSecretKey();
  const unsigned = {
    version: 2 as const,
    username: account.username.toLowerCase(),
    identity_key: b64(ed25519.getPublicKey(identity)),
    x25519_key: b64(randomBytes(32)),
    mlkem768_key: b64(randomBytes(1184)),
    created_at: new Date().toISOString(),
  };
  const signature = b64(ed25519.sign(keyBundleSigningBytes(account.id, unsigned), identity));
  const res = await api.post('/auth/keys', { token: account.token, body: { ...unsigned, signature } });
  expect(res.status).toBe(201);
  return { ...account, identity };
};

/** A second session of the account (a second device signs in). */
export const newSession = async (api: Client, a: Account): Promise<string> => {
  const res = await login(api, a.username, a.password);
  expect(res.status).toBe(200);
  return res.json.access_token;
};

export const entry = (name = 'laptop', deviceId = newId('device')): TDeviceListEntry => ({
  device_id: deviceId,
  signature_key: b64(ed25519.getPublicKey(ed25519.utils.randomSecretKey())),
  name,
  added_at: new Date().toISOString(),
});

/** Signs a list body (any JSON value: tests also sign malformed ones) with the given secret. */
export const signBody = (secret: Uint8Array, body: unknown): TSignedDeviceList => {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return { body: b64(bytes), signature: b64(ed25519.sign(deviceListSigningBytes(bytes), secret)) };
};

export const listBody = (
  o: { id: string },
  version: number,
  devices: TDeviceListEntry[],
  archive = false,
): TDeviceListBody => ({ v: 1, user_id: o.id, version, archive, devices });

export const decodeList = (signed: TSignedDeviceList): TDeviceListBody =>
  JSON.parse(Buffer.from(signed.body, 'base64').toString('utf8'));

export type Res<T> = T & ErrorJson;

/** Registers a device from the session `token` (the next version of `devices`). */
export const registerDevice = async (
  api: Client,
  o: Owner,
  token: string,
  version: number,
  devices: TDeviceListEntry[],
  deviceId: string,
  archive = false,
) =>
  api.post<Res<{ device_list: TSignedDeviceList; device: { device_id: string; current: boolean } }>>(
    '/auth/devices',
    {
      token,
      body: {
        device_id: deviceId,
        device_list: signBody(o.identity, listBody(o, version, devices, archive)),
      },
    },
  );

export const updateList = (api: Client, o: Owner, token: string, body: TDeviceListBody) =>
  api.put<Res<{ device_list: TSignedDeviceList }>>('/auth/devices', {
    token,
    body: { device_list: signBody(o.identity, body) },
  });
