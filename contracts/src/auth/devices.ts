/**
 * The signed, versioned device list of an account (docs/SECURITY.md 10.12).
 * The account identity key signs the body's exact bytes, so nobody has to
 * canonicalise JSON: a reader verifies the bytes, then parses them. Shared by
 * the SDK (which signs and verifies against its pinned key) and the auth
 * service (which checks against the published key, a courtesy to buggy clients).
 */
import { z } from 'zod';
import { zBase64, zBase64Bytes } from '../fields';
import { ZUserId, zId } from '../ids';

export const DEVICE_LIST_SIGNATURE_LABEL = 'LockBox device list v1';
export const DEVICE_LIST_MAX_DEVICES = 64;
/** Decoded body bound: 64 entries with 64-character names fit several times over. */
export const DEVICE_LIST_BODY_MAX_BYTES = 64 * 1024;
export const DEVICE_NAME_MAX = 64;

export const ZDeviceId = zId('device');
export type TDeviceId = z.infer<typeof ZDeviceId>;

/** `field(label) || body`, field = 2-byte big-endian length || bytes (as the MLS device certificate). */
export const deviceListSigningBytes = (body: Uint8Array): Uint8Array => {
  const label = new TextEncoder().encode(DEVICE_LIST_SIGNATURE_LABEL);
  const out = new Uint8Array(2 + label.length + body.length);
  out[0] = label.length >> 8;
  out[1] = label.length & 0xff;
  out.set(label, 2);
  out.set(body, 2 + label.length);
  return out;
};

export const ZDeviceListEntrySchema = z.strictObject({
  device_id: ZDeviceId,
  /** The device's Ed25519 signature public key (the one its MLS leaf and certificate carry). */
  signature_key: zBase64Bytes(32),
  name: z.string().min(1).max(DEVICE_NAME_MAX),
  added_at: z.iso.datetime(),
});
export type TDeviceListEntry = z.infer<typeof ZDeviceListEntrySchema>;

export const ZDeviceListBodySchema = z
  .strictObject({
    v: z.literal(1),
    user_id: ZUserId,
    version: z.number().int().min(1).max(2_147_483_647),
    /** The account's history-archive setting: signed, so the server cannot flip it. */
    archive: z.boolean(),
    devices: z.array(ZDeviceListEntrySchema).max(DEVICE_LIST_MAX_DEVICES),
  })
  .refine((b) => new Set(b.devices.map((d) => d.device_id)).size === b.devices.length, {
    message: 'device ids must be unique',
    path: ['devices'],
  });
export type TDeviceListBody = z.infer<typeof ZDeviceListBodySchema>;

/** Standard padded base64 of the body's UTF-8 bytes, and the 64-byte Ed25519 signature. */
export const ZSignedDeviceListSchema = z.strictObject({
  body: zBase64(Math.ceil(DEVICE_LIST_BODY_MAX_BYTES / 3) * 4).min(4, 'must not be empty'),
  signature: zBase64Bytes(64),
});
export type TSignedDeviceList = z.infer<typeof ZSignedDeviceListSchema>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body's bytes as a list, or what is wrong with them (not UTF-8, not JSON,
 * not the schema). Call it only on bytes whose signature already verified.
 */
export const parseDeviceListBody = (
  body: Uint8Array,
): { ok: true; list: TDeviceListBody } | { ok: false; problem: string } => {
  let json: unknown;
  try {
    json = JSON.parse(strictUtf8.decode(body));
  } catch {
    return { ok: false, problem: 'device list body is not UTF-8 JSON' };
  }
  const parsed = ZDeviceListBodySchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, problem: `device list body: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { ok: true, list: parsed.data };
};

/** What the server observed about one of the caller's devices (unsigned: the server's word). */
export const ZDeviceInfoSchema = z.object({
  device_id: ZDeviceId,
  created_at: z.string(),
  /** Last request from a session bound to it, at most a minute stale. */
  last_seen_at: z.string(),
  /** True for the device the asking session is bound to. */
  current: z.boolean(),
});
export type TDeviceInfo = z.infer<typeof ZDeviceInfoSchema>;

export const ZRegisterDeviceRequestSchema = z.strictObject({
  device_id: ZDeviceId,
  device_list: ZSignedDeviceListSchema,
});
export type TRegisterDeviceRequest = z.infer<typeof ZRegisterDeviceRequestSchema>;
export const ZRegisterDeviceResponseSchema = z.object({
  device_list: ZSignedDeviceListSchema,
  device: ZDeviceInfoSchema,
});
export type TRegisterDeviceResponse = z.infer<typeof ZRegisterDeviceResponseSchema>;

export const ZMyDevicesResponseSchema = z.object({
  device_list: ZSignedDeviceListSchema.nullable(),
  devices: z.array(ZDeviceInfoSchema),
});
export type TMyDevicesResponse = z.infer<typeof ZMyDevicesResponseSchema>;

export const ZListDevicesRequestSchema = z.strictObject({ user_id: ZUserId });
export const ZDeviceListResponseSchema = z.object({ device_list: ZSignedDeviceListSchema.nullable() });
export type TDeviceListResponse = z.infer<typeof ZDeviceListResponseSchema>;

export const ZUpdateDeviceListRequestSchema = z.strictObject({ device_list: ZSignedDeviceListSchema });
export type TUpdateDeviceListRequest = z.infer<typeof ZUpdateDeviceListRequestSchema>;
export const ZUpdateDeviceListResponseSchema = z.object({ device_list: ZSignedDeviceListSchema });

/** Internal: is this device on this user's list and not revoked (for other services). */
export const ZDeviceActiveRequestSchema = z.strictObject({ user_id: ZUserId, device_id: ZDeviceId });
export const ZDeviceActiveResponseSchema = z.object({ active: z.boolean() });
