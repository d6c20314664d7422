/** The encrypted history archive on the server (docs/SECURITY.md 10.13): opaque segments, deduped by tag. */
import { z } from 'zod';
import { zBase64Bytes, zLimit } from '../fields';
import { CURSOR_PATTERN, ZCursor, zOpaqueBase64 } from '../messages/schemas';

export const ARCHIVE_SEGMENT_MAX_BYTES = 256 * 1024;
export const ARCHIVE_APPEND_MAX = 100;

export const ZArchiveTag = zBase64Bytes(32);
export const ZArchiveBlob = zOpaqueBase64(Math.ceil(ARCHIVE_SEGMENT_MAX_BYTES / 3) * 4);

export const ZAppendArchiveRequestSchema = z.strictObject({
  segments: z
    .array(z.strictObject({ tag: ZArchiveTag, blob: ZArchiveBlob }))
    .min(1)
    .max(ARCHIVE_APPEND_MAX),
});
export type TAppendArchiveRequest = z.infer<typeof ZAppendArchiveRequestSchema>;
export const ZAppendArchiveResponseSchema = z.object({
  stored: z.number().int().min(0),
  /** Segments whose tag the account already had (or that repeated one earlier in the request). */
  duplicates: z.number().int().min(0),
});
export type TAppendArchiveResponse = z.infer<typeof ZAppendArchiveResponseSchema>;

export const ZListArchiveRequestSchema = z
  .strictObject({ after: ZCursor.optional(), limit: zLimit(200, 500) })
  .prefault({});
export const ZArchiveSegmentSchema = z.object({
  cursor: z.string().regex(CURSOR_PATTERN),
  tag: ZArchiveTag,
  blob: ZArchiveBlob,
});
export type TArchiveSegment = z.infer<typeof ZArchiveSegmentSchema>;
export const ZListArchiveResponseSchema = z.object({
  segments: z.array(ZArchiveSegmentSchema),
  /** The last segment's cursor when more may follow; null on the last page. */
  next_cursor: z.string().regex(CURSOR_PATTERN).nullable(),
});
export type TListArchiveResponse = z.infer<typeof ZListArchiveResponseSchema>;
