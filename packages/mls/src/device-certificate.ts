/**
 * The cross-signature that ties a device to its account: the account identity key (the v1 Ed25519
 * key from the vault, the one safety numbers are computed over) signs the device's MLS signature
 * public key together with the user id and device id, under a label no other LockBox signature
 * uses. A member whose certificate does not verify against the account key the client expects for
 * that user is refused, so a server cannot slip its own device into a conversation.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Credential } from 'ts-mls';
import { concatBytes, encodeUtf8, FieldReader, field } from './bytes';
import { refuse } from './errors';

export const DEVICE_CERTIFICATE_LABEL = 'LockBox MLS device certificate v1';
/** Version tag of the BasicCredential identity encoding (changing the encoding means a new tag). */
const CREDENTIAL_TAG = 'lockbox-device/1';
const MAX_ID_BYTES = 256;

export interface DeviceCertificateRequest {
  userId: string;
  deviceId: string;
  /** The device's Ed25519 MLS signature public key. */
  signaturePublicKey: Uint8Array;
}

export interface DeviceCertificate extends DeviceCertificateRequest {
  /** Ed25519 signature by the account identity key over certificateSigningBytes(request). */
  signature: Uint8Array;
}

const checkIds = (userId: string, deviceId: string): void => {
  for (const id of [userId, deviceId]) {
    const n = encodeUtf8(id).length;
    if (n === 0 || n > MAX_ID_BYTES) refuse('malformed', 'user and device ids are 1 to 256 bytes');
  }
};

export const certificateSigningBytes = (r: DeviceCertificateRequest): Uint8Array =>
  concatBytes(
    field(encodeUtf8(DEVICE_CERTIFICATE_LABEL)),
    field(encodeUtf8(r.userId)),
    field(encodeUtf8(r.deviceId)),
    field(r.signaturePublicKey),
  );

/** Signs with the account's Ed25519 secret seed (the SDK's `identity.secrets.signingSeed`). */
export const signDeviceCertificate = (
  request: DeviceCertificateRequest,
  accountSigningSeed: Uint8Array,
): DeviceCertificate => {
  checkIds(request.userId, request.deviceId);
  return { ...request, signature: ed25519.sign(certificateSigningBytes(request), accountSigningSeed) };
};

/** Strict RFC 8032 verification (no ZIP-215 leniency), as for v1 key bundles. */
export const verifyDeviceCertificate = (cert: DeviceCertificate, accountIdentityKey: Uint8Array): boolean => {
  try {
    return ed25519.verify(cert.signature, certificateSigningBytes(cert), accountIdentityKey, {
      zip215: false,
    });
  } catch {
    return false;
  }
};

/** The MLS BasicCredential carrying the certificate: the leaf's own signature key completes it. */
export const credentialForCertificate = (cert: DeviceCertificate): Credential => ({
  credentialType: 'basic',
  identity: concatBytes(
    field(encodeUtf8(CREDENTIAL_TAG)),
    field(encodeUtf8(cert.userId)),
    field(encodeUtf8(cert.deviceId)),
    field(cert.signature),
  ),
});

/** Reads the certificate back out of a member's credential; throws `malformed` on anything else. */
export const certificateFromCredential = (
  credential: Credential,
  signaturePublicKey: Uint8Array,
): DeviceCertificate => {
  if (credential.credentialType !== 'basic') return refuse('malformed', 'not a LockBox basic credential');
  try {
    const r = new FieldReader(credential.identity);
    if (r.text() !== CREDENTIAL_TAG) return refuse('malformed', 'unknown credential encoding');
    const userId = r.text();
    const deviceId = r.text();
    const signature = r.bytes();
    r.end();
    checkIds(userId, deviceId);
    if (signature.length !== 64) return refuse('malformed', 'certificate signature is not 64 bytes');
    return { userId, deviceId, signaturePublicKey, signature };
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError)
      return refuse('malformed', 'credential identity does not decode', e);
    throw e;
  }
};
