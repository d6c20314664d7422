/**
 * KeyPackages: the one-time prekeys other devices use to add this device to a group. A device
 * publishes a pool of one-time KeyPackages plus one last-resort KeyPackage the server hands out
 * when the pool is empty (reusable, so it is replaced on every refill).
 */
import type { KeyPackage, PrivateKeyPackage } from 'ts-mls';
import { generateKeyPackageWithKey } from 'ts-mls';
import { makeKeyPackageRef, verifyKeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { type AccountKeyResolver, authenticateMember } from './authentication';
import { concatBytes, encodeUtf8, FieldReader, field } from './bytes';
import { LOCKBOX_CIPHERSUITE, loadCiphersuite } from './ciphersuite';
import type { Device } from './device';
import type { DeviceCertificate } from './device-certificate';
import { refuse } from './errors';
import { decodeWire, encodeWire } from './wire';

/** How long a KeyPackage is valid: within ts-mls's one-month maximum total lifetime. */
export const KEY_PACKAGE_LIFETIME_SECONDS = 28 * 24 * 3600;
/** Tolerated clock skew for a KeyPackage's notBefore, so a fresh one from a fast clock is usable. */
export const KEY_PACKAGE_CLOCK_SKEW_SECONDS = 3600;

export interface LocalKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
  readonly lastResort: boolean;
}

/** Advertise exactly what LockBox speaks: one suite, basic credentials, no optional extensions. */
const capabilities = {
  versions: ['mls10' as const],
  ciphersuites: [LOCKBOX_CIPHERSUITE],
  extensions: [],
  proposals: [],
  credentials: ['basic' as const],
};

const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

export const generateKeyPackage = async (device: Device, lastResort = false): Promise<LocalKeyPackage> => {
  const cs = await loadCiphersuite();
  const now = nowSeconds();
  const lifetime = {
    notBefore: now - BigInt(KEY_PACKAGE_CLOCK_SKEW_SECONDS),
    notAfter: now + BigInt(KEY_PACKAGE_LIFETIME_SECONDS),
  };
  const signatureKeyPair = {
    signKey: device.signaturePrivateKey,
    publicKey: device.certificate.signaturePublicKey,
  };
  const kp = await generateKeyPackageWithKey(
    device.credential,
    capabilities,
    lifetime,
    [],
    signatureKeyPair,
    cs,
  );
  return { publicPackage: kp.publicPackage, privatePackage: kp.privatePackage, lastResort };
};

/** `count` one-time KeyPackages and one last-resort KeyPackage, all for this device. */
export const generateKeyPackagePool = async (
  device: Device,
  count: number,
): Promise<{ oneTime: LocalKeyPackage[]; lastResort: LocalKeyPackage }> => {
  const oneTime: LocalKeyPackage[] = [];
  for (let i = 0; i < count; i++) oneTime.push(await generateKeyPackage(device));
  return { oneTime, lastResort: await generateKeyPackage(device, true) };
};

/** What the device uploads: the MLSMessage-framed KeyPackage (RFC 9420 section 6). */
export const encodeKeyPackage = (kp: KeyPackage): Uint8Array =>
  encodeWire({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp });

/** Decodes a KeyPackage from the network; `checkKeyPackage` still has to accept it. */
export const decodeKeyPackage = (bytes: Uint8Array): KeyPackage =>
  decodeWire(bytes, 'mls_key_package').keyPackage;

/** RFC 9420's KeyPackageRef, the id a Welcome names its recipient by. */
export const keyPackageRef = async (kp: KeyPackage): Promise<Uint8Array> =>
  makeKeyPackageRef(kp, (await loadCiphersuite()).hash);

/**
 * Everything a client checks before adding a KeyPackage it got from the server: LockBox's suite,
 * both signatures (KeyPackage and leaf), the lifetime, and that the credential's certificate is
 * signed by the account key the client expects for that user and covers this leaf's signature key.
 */
export const checkKeyPackage = async (
  kp: KeyPackage,
  accountKeyFor: AccountKeyResolver,
  now = nowSeconds(),
): Promise<DeviceCertificate> => {
  const cs = await loadCiphersuite();
  if (kp.cipherSuite !== LOCKBOX_CIPHERSUITE) return refuse('wrong-ciphersuite', 'KeyPackage is not X-Wing');
  if (kp.leafNode.leafNodeSource !== 'key_package')
    return refuse('malformed', 'leaf is not a KeyPackage leaf');
  const { notBefore, notAfter } = kp.leafNode.lifetime;
  if (now < notBefore || now > notAfter)
    return refuse('expired-key-package', 'KeyPackage outside its lifetime');
  if (
    !(await verifyKeyPackage(kp, cs.signature)) ||
    !(await verifyLeafNodeSignatureKeyPackage(kp.leafNode, cs.signature))
  )
    return refuse('bad-signature', 'KeyPackage signature does not verify');
  return authenticateMember(kp.leafNode.credential, kp.leafNode.signaturePublicKey, accountKeyFor);
};

const LOCAL_TAG = 'lockbox-mls-key-package/1';

/** The device's own record of a KeyPackage, private keys included, for its encrypted local store. */
export const encodeLocalKeyPackage = (k: LocalKeyPackage): Uint8Array =>
  concatBytes(
    field(encodeUtf8(LOCAL_TAG)),
    Uint8Array.of(k.lastResort ? 1 : 0),
    field(encodeKeyPackage(k.publicPackage)),
    field(k.privatePackage.initPrivateKey),
    field(k.privatePackage.hpkePrivateKey),
  );

export const decodeLocalKeyPackage = (bytes: Uint8Array, device: Device): LocalKeyPackage => {
  try {
    const tagLength = field(encodeUtf8(LOCAL_TAG)).length;
    if (new FieldReader(bytes.slice(0, tagLength)).text() !== LOCAL_TAG)
      return refuse('malformed', 'not a stored KeyPackage');
    const flag = bytes[tagLength];
    if (flag !== 0 && flag !== 1) return refuse('malformed', 'bad last-resort flag');
    const r = new FieldReader(bytes.slice(tagLength + 1));
    const publicPackage = decodeKeyPackage(r.bytes());
    const initPrivateKey = r.bytes();
    const hpkePrivateKey = r.bytes();
    r.end();
    return {
      publicPackage,
      privatePackage: { initPrivateKey, hpkePrivateKey, signaturePrivateKey: device.signaturePrivateKey },
      lastResort: flag === 1,
    };
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError)
      return refuse('malformed', 'stored KeyPackage does not decode', e);
    throw e;
  }
};
