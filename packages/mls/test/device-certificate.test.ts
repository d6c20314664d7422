/** The account → device cross-signature and its encodings, on their own. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  certificateFromCredential,
  credentialForCertificate,
  DEVICE_CERTIFICATE_LABEL,
  decodeDevice,
  encodeDevice,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from '../src';
import { certificateSigningBytes } from '../src/device-certificate';
import { newAccount, newDevice } from './helpers';

const alice = newAccount('usr_alice');
const mallory = newAccount('usr_mallory');
const request = {
  userId: 'usr_alice',
  deviceId: 'dev_1',
  signaturePublicKey: ed25519.getPublicKey(ed25519.utils.randomSecretKey()),
};

describe('DeviceCertificate', () => {
  it('verifies under the account key that signed it, and under no other', () => {
    const cert = signDeviceCertificate(request, alice.signingSeed);
    expect(verifyDeviceCertificate(cert, alice.identityKey)).toBe(true);
    expect(verifyDeviceCertificate(cert, mallory.identityKey)).toBe(false);
  });

  it('covers the user id, the device id and the device key: changing any one breaks it', () => {
    const cert = signDeviceCertificate(request, alice.signingSeed);
    const otherKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    for (const forged of [
      { ...cert, userId: 'usr_bob' },
      { ...cert, deviceId: 'dev_2' },
      { ...cert, signaturePublicKey: otherKey },
    ])
      expect(verifyDeviceCertificate(forged, alice.identityKey)).toBe(false);
  });

  it('signs under its own label, so no other LockBox signature can pass for one', () => {
    const cert = signDeviceCertificate(request, alice.signingSeed);
    const unlabelled = ed25519.sign(
      certificateSigningBytes(request).slice(2 + DEVICE_CERTIFICATE_LABEL.length),
      alice.signingSeed,
    );
    expect(verifyDeviceCertificate({ ...cert, signature: unlabelled }, alice.identityKey)).toBe(false);
  });

  it('travels in the BasicCredential and comes back out exactly', () => {
    const cert = signDeviceCertificate(request, alice.signingSeed);
    const back = certificateFromCredential(credentialForCertificate(cert), request.signaturePublicKey);
    expect(back).toEqual(cert);
  });

  it('refuses credential identities that are not LockBox device credentials', () => {
    const cert = signDeviceCertificate(request, alice.signingSeed);
    const { identity } = credentialForCertificate(cert) as { identity: Uint8Array };
    for (const bad of [
      identity.slice(0, -1),
      new Uint8Array([...identity, 0]),
      new TextEncoder().encode('alice'),
    ])
      expect(() =>
        certificateFromCredential({ credentialType: 'basic', identity: bad }, request.signaturePublicKey),
      ).toThrow(/^malformed/);
    expect(() =>
      certificateFromCredential({ credentialType: 'x509', certificates: [] }, request.signaturePublicKey),
    ).toThrow(/^malformed/);
  });
});

describe('Device', () => {
  it('exports and imports with its certificate intact', async () => {
    const device = await newDevice(alice, 'dev_1');
    const back = decodeDevice(encodeDevice(device));
    expect(back).toEqual(device);
    expect(verifyDeviceCertificate(back.certificate, alice.identityKey)).toBe(true);
  });
});
