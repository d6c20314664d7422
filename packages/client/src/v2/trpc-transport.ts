/**
 * V2Transport over the session's tRPC client: one procedure per method, errors as LockboxApiError
 * (a 409 is code `conflict`, which the engine rebases on). The answers are still handed to the
 * engine as `unknown`: it parses every one with its own schemas (v2/transport.ts), whatever the
 * response-validation link already checked.
 */
import type { LockboxTrpc } from '../api/client';
import { call } from '../api/errors';
import type { V2Transport } from './transport';

/** How many stream items one `messagesAfter` page asks for (the contract's maximum). */
const STREAM_PAGE = 500;

export const trpcTransport = (trpc: LockboxTrpc): V2Transport => ({
  registerDevice: (req) => call(() => trpc.devices.register.mutate(req)),
  myDevices: () => call(() => trpc.devices.mine.query()),
  deviceList: (userId) => call(() => trpc.devices.list.query({ user_id: userId })),
  updateDeviceList: (list) => call(() => trpc.devices.update.mutate({ device_list: list })),
  uploadKeyPackages: (req) => call(() => trpc.keyPackages.upload.mutate(req)),
  keyPackageCount: () => call(() => trpc.keyPackages.count.query()),
  claimKeyPackages: (userId) => call(() => trpc.keyPackages.claim.mutate({ user_id: userId })),
  sendMls: (req) => call(() => trpc.messages.sendMls.mutate(req)),
  mlsEpoch: (contactId) => call(() => trpc.messages.mlsEpoch.query({ contact_id: contactId })),
  archiveAppend: (segments) => call(() => trpc.archive.append.mutate({ segments })),
  archiveList: (after, limit) =>
    call(() => trpc.archive.list.query({ limit, ...(after !== undefined ? { after } : {}) })),
  archiveClear: async () => {
    await call(() => trpc.archive.clear.mutate());
  },
  messagesAfter: (after) =>
    call(() => trpc.messages.list.query({ limit: STREAM_PAGE, ...(after !== undefined ? { after } : {}) })),
});
