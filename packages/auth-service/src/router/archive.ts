/** The `archive` namespace: the caller's own encrypted history segments, opaque to the server. */
import type { AuthContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';
import { appendArchiveHandler } from './append-archive';

interface SegmentRow {
  cursor: number | bigint;
  tag: Uint8Array;
  blob: Uint8Array;
}
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export const archiveHandlers = (deps: AuthDeps): HandlersOf<AuthContract['archive']> => ({
  append: appendArchiveHandler(deps),

  list: async ({ input, ctx }) => {
    const rows = await deps.db.query<SegmentRow>(
      `SELECT cursor::int8 AS cursor, tag, blob FROM lockbox_auth.archive_segments
        WHERE user_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3`,
      [ctx.user.id, input.after ?? 0, input.limit + 1],
    );
    const page = rows.slice(0, input.limit);
    return {
      segments: page.map((r) => ({ cursor: String(r.cursor), tag: b64(r.tag), blob: b64(r.blob) })),
      next_cursor: rows.length > input.limit ? String((page[page.length - 1] as SegmentRow).cursor) : null,
    };
  },

  clear: async ({ ctx }) => {
    await deps.db.transaction(async (tx) => {
      // Under the list row's lock, so an append in flight cannot count bytes that are gone.
      await tx.query('SELECT 1 FROM lockbox_auth.device_lists WHERE user_id = $1 FOR UPDATE', [ctx.user.id]);
      await tx.query('DELETE FROM lockbox_auth.archive_segments WHERE user_id = $1', [ctx.user.id]);
      await tx.query('UPDATE lockbox_auth.device_lists SET archive_bytes = 0 WHERE user_id = $1', [
        ctx.user.id,
      ]);
    });
    return null;
  },
});
