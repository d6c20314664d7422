/**
 * A chat request's note as the SDK opened it (issue 11): sealed text as is; a
 * legacy plaintext note with a label saying the server could read and change
 * it; a note that failed its checks as a visible warning, never as text.
 */
import type { RequestNote } from '@lockbox/client';

export function RequestNoteView({ note }: { note: RequestNote | null }) {
  if (!note) return null;
  if (note.status === 'refused')
    return (
      <p className="request-note-refused" role="alert">
        The note with this request was refused and is not shown: it did not pass the end-to-end checks (the
        server may have tampered with it). <span className="muted">({note.code})</span>
      </p>
    );
  return (
    <>
      <p className="request-note">“{note.text}”</p>
      {note.status === 'unencrypted' && (
        <p className="request-note-unencrypted">Sent unencrypted (the server can read and change it).</p>
      )}
    </>
  );
}
