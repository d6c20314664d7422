/**
 * A device's MLS identity: its own Ed25519 signature key pair (never leaves the device) and the
 * certificate the account identity key signed for it. Exported to bytes for the device's local
 * store, which the SDK encrypts like the rest of its secrets.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Credential } from 'ts-mls';
import { concatBytes, encodeUtf8, FieldReader, field } from './bytes';
import {
  credentialForCertificate,
  type DeviceCertificate,
  type DeviceCertificateRequest,
} from './device-certificate';
import { refuse } from './errors';

export interface Device {
  readonly certificate: DeviceCertificate;
  readonly signaturePrivateKey: Uint8Array;
  readonly credential: Credential;
}

/** Where the account key signs: the SDK passes a function that uses the vault's identity seed. */
export type CertifyDevice = (
  request: DeviceCertificateRequest,
) => DeviceCertificate | Promise<DeviceCertificate>;

export const createDevice = async (opts: {
  userId: string;
  deviceId: string;
  certify: CertifyDevice;
}): Promise<Device> => {
  const signaturePrivateKey = ed25519.utils.randomSecretKey();
  const request = {
    userId: opts.userId,
    deviceId: opts.deviceId,
    signaturePublicKey: ed25519.getPublicKey(signaturePrivateKey),
  };
  const certificate = await opts.certify(request);
  // A certify hook that signed something else (another device's key, another id) is a bug to stop here.
  if (
    certificate.userId !== request.userId ||
    certificate.deviceId !== request.deviceId ||
    !ed25519.getPublicKey(signaturePrivateKey).every((b, i) => certificate.signaturePublicKey[i] === b)
  )
    refuse('bad-certificate', 'the certificate returned is not for this device');
  return deviceFrom(certificate, signaturePrivateKey);
};

const deviceFrom = (certificate: DeviceCertificate, signaturePrivateKey: Uint8Array): Device => ({
  certificate,
  signaturePrivateKey,
  credential: credentialForCertificate(certificate),
});

const DEVICE_TAG = 'lockbox-mls-device/1';

export const encodeDevice = (d: Device): Uint8Array =>
  concatBytes(
    field(encodeUtf8(DEVICE_TAG)),
    field(encodeUtf8(d.certificate.userId)),
    field(encodeUtf8(d.certificate.deviceId)),
    field(d.signaturePrivateKey),
    field(d.certificate.signature),
  );

export const decodeDevice = (bytes: Uint8Array): Device => {
  try {
    const r = new FieldReader(bytes);
    if (r.text() !== DEVICE_TAG) return refuse('malformed', 'not an exported LockBox MLS device');
    const userId = r.text();
    const deviceId = r.text();
    const signaturePrivateKey = r.bytes();
    const signature = r.bytes();
    r.end();
    if (signaturePrivateKey.length !== 32) return refuse('malformed', 'signature key is not 32 bytes');
    const signaturePublicKey = ed25519.getPublicKey(signaturePrivateKey);
    return deviceFrom({ userId, deviceId, signaturePublicKey, signature }, signaturePrivateKey);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError)
      return refuse('malformed', 'exported device does not decode', e);
    throw e;
  }
};
