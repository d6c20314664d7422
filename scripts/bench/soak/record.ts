/** What the soak records as it runs: every answer, every delivery, socket drops, the faults. */
import { randomUUID } from 'node:crypto';

export interface Attempt {
  /** When the answer came (ms, performance clock + timeOrigin). */
  at: number;
  status: number;
}

export interface FaultRecord {
  process: string;
  killAt: number;
  restartAt: number;
  readyAt: number;
}

export interface SocketEvent {
  at: number;
  kind: 'dropped' | 'reopened';
  code?: number;
}

export class SoakRecord {
  readonly ids: string[];
  readonly intended: Float64Array;
  readonly committedAt: Float64Array;
  readonly deliveredAt: Float64Array;
  readonly deliveredCursor: Float64Array;
  /** Final answer of a send that never committed (its last status). */
  readonly gaveUp = new Map<number, number>();
  readonly answers: Attempt[] = [];
  readonly socketEvents: SocketEvent[] = [];
  readonly faults: FaultRecord[] = [];
  /** Frames of one message under a second cursor (stored twice), or for the wrong recipient. */
  deliveredTwice = 0;
  misrouted = 0;
  /** Retries answered with the commit of an earlier attempt whose answer was lost (the idempotent path). */
  replayed = 0;
  lastDeliveryAt = 0;

  constructor(readonly total: number) {
    this.ids = Array.from({ length: total }, () => randomUUID());
    this.intended = new Float64Array(total);
    this.committedAt = new Float64Array(total);
    this.deliveredAt = new Float64Array(total);
    this.deliveredCursor = new Float64Array(total);
  }

  committed(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.total; i++) if (this.committedAt[i]) out.push(i);
    return out;
  }

  /** Committed and not (yet) delivered. */
  undelivered(): number[] {
    return this.committed().filter((i) => !this.deliveredAt[i]);
  }
}
