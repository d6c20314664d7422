/**
 * What the delivery bench sends to and measures: a target (LockBox or the
 * baseline) with its processes and recipient sockets, and the recorder of
 * the step under way.
 */
import { decodeNote, nowMs } from '../lib/message-load';
import type { Proc } from '../lib/processes';
import { CursorStream, openRecipientSocket, type RecipientSocket } from '../lib/recipient-socket';

/** What one step saw arrive: which messages, how late, how often twice. */
export class StepRecorder {
  readonly seen: Uint8Array;
  /** Per message: 1 answered 201 (committed), 2 failed or timed out (may still have committed). */
  readonly answer: Uint8Array;
  readonly latencies: number[] = [];
  delivered = 0;
  duplicates = 0;
  lastDeliveryMs = 0;

  constructor(
    readonly step: number,
    total: number,
  ) {
    this.seen = new Uint8Array(total);
    this.answer = new Uint8Array(total);
  }

  /** Committed (answered 201) but never delivered. */
  lost(): number {
    let n = 0;
    for (let i = 0; i < this.seen.length; i++) if (this.answer[i] === 1 && !this.seen[i]) n++;
    return n;
  }

  record(index: number, intendedMs: number) {
    const now = nowMs();
    if (index < 0 || index >= this.seen.length) return;
    if (this.seen[index]) {
      this.duplicates++;
      return;
    }
    this.seen[index] = 1;
    this.delivered++;
    this.latencies.push(now - intendedMs);
    this.lastDeliveryMs = now;
  }
}

export interface Target {
  name: string;
  /** Sends message `index` of the step for pair `pair`; resolves with the HTTP status. */
  send(pair: number, blob: string): Promise<number>;
  recorder: StepRecorder | undefined;
  /** Cursor gaps and repeats seen on the recipients' sockets (LockBox's order promise). */
  orderViolations: number;
  processes: Proc[];
  sockets: RecipientSocket[];
}

export const newTarget = (name: string, processes: Proc[], send: Target['send']): Target => ({
  name,
  processes,
  recorder: undefined,
  orderViolations: 0,
  sockets: [],
  send,
});

/** Sockets the server closed (and the client reopened) so far. */
export const reconnectsOf = (target: Target) => target.sockets.reduce((n, s) => n + s.reconnects, 0);

/**
 * A recipient's socket. LockBox's reconnects like a real client when the server closes it
 * (e.g. 1013 for a reader that fell behind) and resumes from the last cursor it got.
 */
export const openTargetSocket = async (
  url: (after: number) => string,
  target: Target,
  protocols?: string[],
) => {
  const socket = await openRecipientSocket({
    url,
    ...(protocols ? { protocols } : {}),
    stream: new CursorStream(),
    reconnect: { firstMs: 200, maxMs: 200 },
    onClose: (code) =>
      console.error(`[bench:delivery] a ${target.name} socket closed (${code}); reconnecting`),
    onMessage: (data, cursor) => {
      if (!data.encrypted_blob) return;
      if (cursor && !cursor.next) target.orderViolations++;
      const note = decodeNote(data.encrypted_blob);
      if (target.recorder && note.step === target.recorder.step)
        target.recorder.record(note.index, note.intendedMs);
    },
  });
  target.sockets.push(socket);
};
