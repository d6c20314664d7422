export type { AccountKeyResolver } from './authentication';
export { authenticateMember } from './authentication';
export { LOCKBOX_CIPHERSUITE, loadCiphersuite } from './ciphersuite';
export { type CertifyDevice, createDevice, type Device, decodeDevice, encodeDevice } from './device';
export {
  certificateFromCredential,
  credentialForCertificate,
  DEVICE_CERTIFICATE_LABEL,
  type DeviceCertificate,
  type DeviceCertificateRequest,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from './device-certificate';
export { type MlsRefusal, MlsRefusedError } from './errors';
export { GroupMember, type GroupMemberOptions } from './group-member';
export {
  checkKeyPackage,
  decodeKeyPackage,
  decodeLocalKeyPackage,
  encodeKeyPackage,
  encodeLocalKeyPackage,
  generateKeyPackage,
  generateKeyPackagePool,
  KEY_PACKAGE_LIFETIME_SECONDS,
  keyPackageRef,
  type LocalKeyPackage,
} from './key-packages';
export type { Member, MemberId } from './members';
export type { Received } from './receive';
export { StagedCommit } from './staged-commit';
export { type MlsHeader, peekHeader } from './wire';
