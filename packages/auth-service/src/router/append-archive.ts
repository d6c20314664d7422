/**
 * `archive.append` (POST /auth/archive): only while the caller's signed device
 * list says archive=true. Runs under the account's device-list row lock, so
 * cursors increase without gaps between concurrent appends and the byte total
 * (ARCHIVE_MAX_BYTES) is exact. A tag the account already has is skipped.
 */
import { type AuthContract, base64DecodedBytes } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';

type Handler = HandlersOf<AuthContract['archive']>['append'];

export const appendArchiveHandler =
  (deps: Pick<AuthDeps, 'db' | 'env'>): Handler =>
  async ({ input, ctx }) => {
    const userId = ctx.user.id;
    return deps.db.transaction(async (tx) => {
      const [list] = await tx.query<{ archive: boolean; archive_bytes: number; archive_cursor: number }>(
        `SELECT archive, archive_bytes::int8 AS archive_bytes, archive_cursor::int8 AS archive_cursor
           FROM lockbox_auth.device_lists WHERE user_id = $1 FOR UPDATE`,
        [userId],
      );
      if (!list?.archive)
        throw new AppError('conflict', 'the history archive is off in your signed device list');
      const byTag = new Map<string, string>();
      for (const s of input.segments) if (!byTag.has(s.tag)) byTag.set(s.tag, s.blob);
      const known = await tx.query<{ tag: string }>(
        `SELECT encode(tag, 'base64') AS tag FROM lockbox_auth.archive_segments
          WHERE user_id = $1 AND tag = ANY(SELECT decode(t, 'base64') FROM unnest($2::text[]) AS t)`,
        [userId, [...byTag.keys()]],
      );
      for (const { tag } of known) byTag.delete(tag);
      const tags = [...byTag.keys()];
      const blobs = [...byTag.values()];
      const bytes = blobs.reduce((n, b) => n + base64DecodedBytes(b), 0);
      if (Number(list.archive_bytes) + bytes > deps.env.ARCHIVE_MAX_BYTES)
        throw new AppError('payload_too_large', 'the history archive is full for this account');
      if (tags.length > 0) {
        await tx.query(
          `INSERT INTO lockbox_auth.archive_segments (user_id, cursor, tag, blob, size)
           SELECT $1::text, $2::int8 + o, decode(t, 'base64'), decode(b, 'base64'), length(decode(b, 'base64'))
             FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS x(t, b, o)`,
          [userId, Number(list.archive_cursor), tags, blobs],
        );
        await tx.query(
          `UPDATE lockbox_auth.device_lists
              SET archive_bytes = archive_bytes + $2, archive_cursor = archive_cursor + $3 WHERE user_id = $1`,
          [userId, bytes, tags.length],
        );
      }
      return { stored: tags.length, duplicates: input.segments.length - tags.length };
    });
  };
