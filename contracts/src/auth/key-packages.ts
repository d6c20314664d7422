/** KeyPackage pools on the server (docs/SECURITY.md 10.12): opaque bytes, handed out exactly once. */
import { z } from 'zod';
import { ZUserId } from '../ids';
import { zOpaqueBase64 } from '../messages/schemas';
import { ZDeviceId } from './devices';

export const KEY_PACKAGE_MAX_BYTES = 16 * 1024;
export const KEY_PACKAGE_UPLOAD_MAX = 100;
/** One-time KeyPackages a device may keep on the server. */
export const KEY_PACKAGE_POOL_MAX = 200;

export const ZKeyPackageBytes = zOpaqueBase64(Math.ceil(KEY_PACKAGE_MAX_BYTES / 3) * 4);

export const ZUploadKeyPackagesRequestSchema = z.strictObject({
  device_id: ZDeviceId,
  key_packages: z.array(ZKeyPackageBytes).max(KEY_PACKAGE_UPLOAD_MAX),
  /** Replaces the device's last-resort KeyPackage. */
  last_resort: ZKeyPackageBytes.optional(),
});
export type TUploadKeyPackagesRequest = z.infer<typeof ZUploadKeyPackagesRequestSchema>;

export const ZKeyPackageCountSchema = z.object({
  available: z.number().int().min(0),
  has_last_resort: z.boolean(),
});
export type TKeyPackageCount = z.infer<typeof ZKeyPackageCountSchema>;

export const ZClaimKeyPackagesRequestSchema = z.strictObject({ user_id: ZUserId });
export const ZClaimedKeyPackageSchema = z.object({
  device_id: ZDeviceId,
  key_package: ZKeyPackageBytes,
  last_resort: z.boolean(),
});
export type TClaimedKeyPackage = z.infer<typeof ZClaimedKeyPackageSchema>;
export const ZClaimKeyPackagesResponseSchema = z.object({ key_packages: z.array(ZClaimedKeyPackageSchema) });
export type TClaimKeyPackagesResponse = z.infer<typeof ZClaimKeyPackagesResponseSchema>;
