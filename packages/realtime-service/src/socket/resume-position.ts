import { compareCursors } from '../delivery/cursor';

/**
 * Where a resume starts: after the cursor the client asked for, unless this
 * socket already sent past it. A socket never sends a cursor at or before the
 * last one it sent, so a resume behind that point (a client that connected
 * with `?after=C` and then also sent `resume {after: C}`) replays nothing twice;
 * a client that really wants an old stretch again opens a new socket.
 */
export const resumePosition = (sent: string | undefined, asked: string | null): string | null => {
  if (sent === undefined) return asked;
  if (asked === null || compareCursors(asked, sent) <= 0) return sent;
  return asked;
};
