/** E2E v2 (MLS) for the SDK: the engine a session wires to, and the pieces it is made of. */
export {
  type ArchiveReadout,
  type ArchiveRecord,
  archiveTag,
  generateArchiveKey,
  HistoryArchive,
  openArchiveSegment,
  sealArchiveRecord,
} from './archive';
export type { ConversationStatus, GroupEvent, ReceivedMessage } from './conversation-group';
export {
  DEVICE_LIST_LABEL,
  type DeviceList,
  DeviceListPins,
  firstDeviceList,
  isListedDevice,
  type ListedDevice,
  signDeviceList,
  verifyDeviceList,
  withArchive,
  withDevice,
  withoutDevices,
} from './device-list';
export { DeviceState } from './device-state';
export { type SendOutcome, V2Engine, type V2EngineOptions, type V2Event } from './engine';
export { type V2Refusal, V2RefusedError } from './errors';
export { KeyPackagePool, POOL_LOW, POOL_TARGET } from './key-package-pool';
export {
  isConflict,
  type SendMlsRequest,
  type TSignedDeviceList,
  type TStreamItem,
  V2ProtocolError,
  type V2Transport,
} from './transport';
