/**
 * Valid bodies for the E2E v2 device routes, made with node:crypto's Ed25519
 * (no client library in the black box): the account publishes a v2 key bundle,
 * and its identity key signs a first device list naming one new device.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { deviceListSigningBytes, keyBundleSigningBytes, newId } from '@lockbox/contracts';
import type { Client } from '@lockbox/testkit';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export interface DeviceBodies {
  deviceId: string;
  /** POST /auth/devices: the first list with this one device. */
  register: () => Record<string, unknown>;
  /** POST /auth/key-packages for that device (a fresh KeyPackage each call). */
  upload: () => Record<string, unknown>;
}

export const deviceBodiesFor = async (
  api: Client,
  user: { id: string; username: string; token: string },
): Promise<DeviceBodies> => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const identity = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const unsigned = {
    version: 2 as const,
    username: user.username.toLowerCase(),
    identity_key: b64(identity),
    x25519_key: b64(randomBytes(32)),
    mlkem768_key: b64(randomBytes(1184)),
    created_at: new Date().toISOString(),
  };
  const signature = b64(sign(null, keyBundleSigningBytes(user.id, unsigned), privateKey));
  const published = await api.post('/auth/keys', { token: user.token, body: { ...unsigned, signature } });
  if (published.status !== 201) throw new Error(`publish keys: ${published.status} ${published.text}`);
  const deviceId = newId('device');
  const body = new TextEncoder().encode(
    JSON.stringify({
      v: 1,
      user_id: user.id,
      version: 1,
      archive: false,
      devices: [
        {
          device_id: deviceId,
          signature_key: b64(randomBytes(32)),
          name: 'b5',
          added_at: new Date().toISOString(),
        },
      ],
    }),
  );
  const deviceList = {
    body: b64(body),
    signature: b64(sign(null, deviceListSigningBytes(body), privateKey)),
  };
  return {
    deviceId,
    register: () => ({ device_id: deviceId, device_list: deviceList }),
    upload: () => ({ device_id: deviceId, key_packages: [b64(randomBytes(64))] }),
  };
};
