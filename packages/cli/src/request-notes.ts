/**
 * How the CLI shows a chat request's note (issue 11): the decrypted text; a
 * legacy plaintext note labelled as readable and changeable by the server; a
 * note that failed its checks as a warning (stderr) and never as text. A
 * refused note makes the command exit 1 after printing the list, so scripts
 * notice a server that tampers with notes.
 */
import type { RequestNote } from '@lockbox/client';
import type { Output } from './output';

export const UNENCRYPTED_LABEL = '[sent unencrypted: the server can read and change it]';

/** The note after a request line's name ("" when there is none). */
export const noteSuffix = (note: RequestNote | null): string => {
  if (!note) return '';
  if (note.status === 'sealed') return `: "${note.text}"`;
  if (note.status === 'unencrypted') return `: "${note.text}" ${UNENCRYPTED_LABEL}`;
  return `  [note refused: ${note.code}]`;
};

/** Warns about every refused note (both modes) and flags the command as failed; returns how many. */
export const warnRefusedNotes = (
  out: Output,
  requests: Array<{ id: string; note: RequestNote | null; who: string }>,
): number => {
  let refused = 0;
  for (const r of requests) {
    if (r.note?.status !== 'refused') continue;
    refused++;
    out.warn(
      'note_refused',
      `the note of the request ${r.id} (${r.who}) was refused and is not shown: ${r.note.reason} [${r.note.code}]`,
      { request_id: r.id, reason: r.note.code },
    );
  }
  if (refused > 0) process.exitCode = 1;
  return refused;
};
