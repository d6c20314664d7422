/**
 * The narrow surface E2E v2 needs from the server (docs/v2 wire design: auth `devices`,
 * `keyPackages`, `archive`; messages `sendMls`, `mlsEpoch` and the per-user stream). Every method
 * returns `unknown` on purpose: the answers come from the adversary, so the SDK parses each one
 * with the schemas below before it looks at a single field. A real adapter maps these to the tRPC
 * procedures one to one and throws LockboxApiError (code `conflict` for a 409).
 */
import { zId } from '@lockbox/contracts';
import { z } from 'zod';
import { LockboxApiError } from '../api/errors';

/** Standard padded base64, as the contracts' zOpaqueBase64. */
const b64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
export const ZDeviceId = zId('device');
const ZUserId = zId('user');
const ZConversationId = zId('conversation');
const ZMessageId = zId('message');

export const ZSignedDeviceList = z.strictObject({ body: b64, signature: b64 });
export type TSignedDeviceList = z.infer<typeof ZSignedDeviceList>;

export const ZDeviceListAnswer = z.object({ device_list: ZSignedDeviceList.nullable() });
export const ZMyDevicesAnswer = z.object({
  device_list: ZSignedDeviceList.nullable(),
  devices: z.array(
    z.object({
      device_id: ZDeviceId,
      created_at: z.string(),
      last_seen_at: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});
export const ZKeyPackageCount = z.object({
  available: z.number().int().min(0),
  has_last_resort: z.boolean(),
});
export const ZClaimedKeyPackages = z.object({
  key_packages: z
    .array(z.object({ device_id: ZDeviceId, key_package: b64, last_resort: z.boolean() }))
    .max(64),
});
export type TClaimedKeyPackage = z.infer<typeof ZClaimedKeyPackages>['key_packages'][number];

export const ZSendMlsAnswer = z.object({
  message_id: ZMessageId,
  conversation_id: ZConversationId,
  seq: z.number().int().min(1),
  cursor: z.string(),
  created_at: z.string(),
});
export const ZMlsEpochAnswer = z.object({ conversation_id: ZConversationId, epoch: z.number().int().min(0) });

export const ZArchiveAppendAnswer = z.object({
  stored: z.number().int().min(0),
  duplicates: z.number().int().min(0),
});
export const ZArchivePage = z.object({
  segments: z.array(z.object({ cursor: z.string(), tag: b64, blob: b64 })).max(500),
  next_cursor: z.string().nullable(),
});

/** A stream item as v2 reads it: a v1 item has no `mls` and is left to the v1 code. */
export const ZStreamItem = z.object({
  id: ZMessageId,
  conversation_id: ZConversationId,
  seq: z.number().int().min(1),
  cursor: z.string(),
  sender_id: ZUserId,
  recipient_id: ZUserId,
  encrypted_blob: b64,
  created_at: z.string(),
  mls: z
    .object({ kind: z.enum(['application', 'commit', 'welcome']), epoch: z.number().int().min(0) })
    .optional(),
});
export type TStreamItem = z.infer<typeof ZStreamItem>;
export const ZStreamPage = z.object({
  messages: z.array(z.unknown()),
  next_cursor: z.string(),
  has_more: z.boolean(),
});

export interface SendMlsRequest {
  recipient_id: string;
  client_msg_id: string;
  kind: 'application' | 'commit';
  epoch: number;
  message: string;
  welcome?: string;
}

export interface V2Transport {
  registerDevice(req: { device_id: string; device_list: TSignedDeviceList }): Promise<unknown>;
  myDevices(): Promise<unknown>;
  deviceList(userId: string): Promise<unknown>;
  updateDeviceList(list: TSignedDeviceList): Promise<unknown>;
  uploadKeyPackages(req: {
    device_id: string;
    key_packages: string[];
    last_resort?: string;
  }): Promise<unknown>;
  keyPackageCount(): Promise<unknown>;
  claimKeyPackages(userId: string): Promise<unknown>;
  sendMls(req: SendMlsRequest): Promise<unknown>;
  mlsEpoch(contactId: string): Promise<unknown>;
  archiveAppend(segments: { tag: string; blob: string }[]): Promise<unknown>;
  archiveList(after: string | undefined, limit: number): Promise<unknown>;
  archiveClear(): Promise<void>;
  /** The user's stream (messages.list): items after `after`, oldest first. */
  messagesAfter(after: string | undefined): Promise<unknown>;
}

/** Thrown when a server answer does not parse: the server broke the contract (or lies). */
export class V2ProtocolError extends Error {
  override readonly name = 'V2ProtocolError';
}

export const parseAnswer = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const r = schema.safeParse(value);
  if (!r.success) throw new V2ProtocolError(`the server's answer to ${what} is malformed`);
  return r.data;
};

export const isConflict = (e: unknown): boolean => e instanceof LockboxApiError && e.code === 'conflict';
