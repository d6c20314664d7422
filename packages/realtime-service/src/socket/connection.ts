/**
 * One client socket and its delivery state. Delivery is at-least-once on the
 * wire (live pushes, plus history fetches whenever there is a doubt) and
 * exactly-once for the client: `lastCursor` is the last message this socket
 * was sent, and nothing at or before it is ever sent again.
 *
 * A live message goes straight out when it is the next one in the viewer's
 * stream. Anything else (a resume, a gap because an earlier message is still
 * in flight, a fan-out that was lost while Redis was down) runs the pump:
 * fetch history after `lastCursor` page by page, then flush the live messages
 * that arrived meanwhile; those that are not next trigger another fetch. The
 * last fetch and the flush have no await between them, so the seam between
 * replay and live has neither a gap nor a duplicate.
 */
import { type TServerFrame, WS_CLOSE, type ZNewMessageFrame } from '@lockbox/contracts';
import type { Logger } from '@lockbox/service-kit';
import type WebSocket from 'ws';
import type { z } from 'zod';
import { compareCursors, isNextCursor } from '../delivery/cursor';
import type { HistoryPage, HistorySource, StoredMessage } from '../delivery/history';
import type { FetchRetryWaits } from './fetch-waits';

export type NewMessageFrame = z.infer<typeof ZNewMessageFrame>;

/** Settings and collaborators every connection shares (one object, not one copy per socket). */
export interface ConnectionShared {
  history: HistorySource;
  log: Logger;
  sendBufferLimit: number;
  replayPage: number;
  framesPerSecond: number;
  abuseLimit: number;
  /** Waits between history fetch attempts, in ms; the last one repeats for as long as it takes. */
  fetchRetryDelays: readonly number[];
  /** Sockets waiting to retry a history fetch: a fetch that succeeds wakes them all. */
  fetchWaits: FetchRetryWaits;
  /** When a shared warning was last logged (one line per outage, not one per socket). */
  warnedAt: { history: number };
  /** A socket that does not drain its buffer within this long during a replay is closed with 1013. */
  drainTimeoutMs: number;
}

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

/** Live messages held while the pump runs; beyond this they are dropped and fetched again instead. */
const MAX_PENDING = 1_000;
const OPEN = 1;

export class Connection {
  /** Heartbeat: set by every pong and frame, cleared by every ping round. */
  alive = true;
  closed = false;
  /** Last message cursor sent. undefined: live only, no position yet; null: before the first message. */
  lastCursor: string | null | undefined;
  /** The highest message cursor actually sent on this socket (a start position is not a send). */
  private highestSent: string | undefined;
  private abuse = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private pumping = false;
  private pending: NewMessageFrame[] | undefined;
  private refetch = false;
  /** An explicit resume waiting to be served by the pump (`after` null: from the start). */
  private resumeAsked: { after: string | null } | undefined;
  /** Ends the wait before the next history fetch attempt, while one is waiting. */
  private wakeFetch: (() => void) | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly sessionId: string,
    private readonly shared: ConnectionShared,
  ) {
    this.tokens = shared.framesPerSecond * 2;
  }

  // --- sending -----------------------------------------------------------------

  /** Sends a frame unless the socket is gone or not reading; a socket past its buffer bound is cut off. */
  sendRaw(json: string): boolean {
    if (this.closed || this.ws.readyState !== OPEN) return false;
    if (this.ws.bufferedAmount > this.shared.sendBufferLimit) {
      this.cutOff('send buffer full');
      return false;
    }
    this.ws.send(json);
    return true;
  }

  send(frame: TServerFrame): boolean {
    return this.sendRaw(JSON.stringify(frame));
  }

  /** A client that stopped reading: close with 1013 (its messages wait for resume), and drop it if it never reads the close. */
  cutOff(reason: string) {
    if (this.closed) return;
    this.close(WS_CLOSE.tryAgainLater, reason);
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  close(code: number, reason: string) {
    if (this.ws.readyState === OPEN) this.ws.close(code, reason);
    this.markClosed();
  }

  markClosed() {
    this.closed = true;
    this.pending = undefined;
    this.wakeFetch?.();
  }

  // --- messages ------------------------------------------------------------------

  /** A live new_message for this socket's user (`json` is the frame, serialised once per fan-out). */
  offerMessage(frame: NewMessageFrame, json: string) {
    if (this.closed) return;
    const cursor = frame.data.cursor;
    if (this.pumping) {
      this.hold(frame);
      // A live message was just committed and handed over: message-service is up, so a
      // history fetch waiting out its retry delay can try again now instead of seconds later.
      this.wakeFetch?.();
      return;
    }
    const last = this.lastCursor;
    if (last === undefined) {
      // Live only (no resume asked): this message starts the socket's position.
      if (this.sendRaw(json)) this.markSent(cursor);
      return;
    }
    if (last !== null && compareCursors(cursor, last) <= 0) return; // already sent
    if (isNextCursor(last, cursor)) {
      if (this.sendRaw(json)) this.markSent(cursor);
      return;
    }
    // An earlier message has not arrived live (yet): fetch history so order holds.
    this.hold(frame);
    this.startPump();
  }

  /** A `resume {after}` frame or `?after=`: replay after that cursor, then live. */
  resume(after: string | null) {
    this.resumeAsked = { after };
    this.startPump();
  }

  /** Fetch what may have been missed (e.g. after the fan-out was down), when the socket has a position. */
  catchUp() {
    if (this.lastCursor === undefined || this.closed) return;
    this.refetch = true;
    this.startPump();
  }

  get isPumping() {
    return this.pumping;
  }

  private hold(frame: NewMessageFrame) {
    if (this.refetch) return;
    this.pending ??= [];
    const pending = this.pending;
    if (pending.length >= MAX_PENDING) {
      // Committed messages can always be fetched again; memory per socket stays bounded.
      this.pending = undefined;
      this.refetch = true;
      return;
    }
    pending.push(frame);
  }

  private startPump() {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    this.pump()
      .catch((err) => {
        this.shared.log.error({ err, userId: this.userId }, 'delivery pump failed');
        this.close(WS_CLOSE.internalError, 'delivery failed');
      })
      .finally(() => {
        this.pumping = false;
      });
  }

  private async pump() {
    let replayed = 0;
    let answerResume = false;
    for (;;) {
      if (this.closed) return;
      if (this.resumeAsked) {
        this.lastCursor = resumePosition(this.highestSent, this.resumeAsked.after);
        this.resumeAsked = undefined;
        answerResume = true;
        replayed = 0;
      }
      this.refetch = false;
      const from = this.lastCursor ?? null;
      const page = await this.fetchPage(from);
      if (!page || this.closed) return;
      for (const message of page.messages) {
        if (!(await this.sendReplayed(message))) return;
        replayed++;
      }
      if (page.has_more || this.resumeAsked || this.refetch) continue;
      // Caught up. From here to the end no await: live messages arriving now are still held.
      if (this.flushPending()) continue;
      if (answerResume) this.send({ type: 'resumed', data: { cursor: this.lastCursor ?? null, replayed } });
      return;
    }
  }

  /** Sends held live messages in cursor order; true when a gap remains (fetch again). */
  private flushPending(): boolean {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return false;
    pending.sort((a, b) => compareCursors(a.data.cursor, b.data.cursor));
    for (const frame of pending) {
      const last = this.lastCursor ?? null;
      const cursor = frame.data.cursor;
      if (last !== null && compareCursors(cursor, last) <= 0) continue;
      if (!isNextCursor(last, cursor)) return true;
      if (!this.sendRaw(JSON.stringify(frame))) return false;
      this.markSent(cursor);
    }
    return false;
  }

  private async sendReplayed(message: StoredMessage): Promise<boolean> {
    const last = this.lastCursor;
    if (last != null && compareCursors(message.cursor, last) <= 0) return true;
    if (this.ws.bufferedAmount > this.shared.sendBufferLimit / 2 && !(await this.drained())) {
      this.cutOff('client is not reading');
      return false;
    }
    if (!this.send({ type: 'new_message', data: message })) return false;
    this.markSent(message.cursor);
    return true;
  }

  /** Cursors only grow on a socket, so the last one sent is also the highest. */
  private markSent(cursor: string) {
    this.lastCursor = cursor;
    this.highestSent = cursor;
  }

  private async drained(): Promise<boolean> {
    const deadline = Date.now() + this.shared.drainTimeoutMs;
    while (!this.closed && this.ws.bufferedAmount > this.shared.sendBufferLimit / 4) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return !this.closed;
  }

  /**
   * One history page. While message-service is unreachable the socket waits and retries (the
   * delays, the last one repeating), holding live messages meanwhile; closing it would only
   * send the client back through the upgrade to the same wait. After the first delays run out
   * the client is told once, with an `unavailable` error frame. A live message for this socket,
   * or any socket's fetch that succeeds, ends a wait early: message-service is back (the long
   * delays only spare a service that is still down). Woken so and failing again, the socket
   * waits out its own delays: another socket's success is no evidence for it twice.
   */
  private async fetchPage(after: string | null): Promise<HistoryPage | undefined> {
    const delays = this.shared.fetchRetryDelays;
    let wakeOnRecovery = true;
    for (let attempt = 0; ; attempt++) {
      try {
        const page = await this.shared.history.messagesAfter(this.userId, after, this.shared.replayPage);
        this.shared.fetchWaits.wakeAll();
        return page;
      } catch (err) {
        if (this.closed) return undefined;
        if (attempt === delays.length - 1) {
          const now = Date.now();
          if (now - this.shared.warnedAt.history > 10_000) {
            this.shared.warnedAt.history = now;
            this.shared.log.warn(
              { err: (err as Error).message, userId: this.userId },
              'history unavailable; retrying',
            );
          }
          this.send({
            type: 'error',
            data: { code: 'unavailable', message: 'message history is unavailable right now; still trying' },
          });
        }
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1_000;
        if (await this.waitToRetry(delay, wakeOnRecovery)) wakeOnRecovery = false;
        if (this.closed) return undefined;
      }
    }
  }

  /**
   * Waits `delay` ms before the next fetch attempt. A live message or a close ends it early, and
   * so, when `onRecovery`, does another fetch succeeding; resolves true in that last case.
   */
  private waitToRetry(delay: number, onRecovery: boolean): Promise<boolean> {
    const waits = this.shared.fetchWaits;
    return new Promise<boolean>((resolve) => {
      let recovered = false;
      const wake = () => {
        clearTimeout(timer);
        waits.delete(recoveredWake);
        if (this.wakeFetch === wake) this.wakeFetch = undefined;
        resolve(recovered);
      };
      const recoveredWake = () => {
        recovered = true;
        wake();
      };
      const timer = setTimeout(wake, delay);
      this.wakeFetch = wake;
      if (onRecovery) waits.add(recoveredWake);
    });
  }

  // --- client frames -------------------------------------------------------------

  /** Token bucket over client frames; false when this frame is over the rate. */
  takeToken(): boolean {
    const now = Date.now();
    const rate = this.shared.framesPerSecond;
    this.tokens = Math.min(rate * 2, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Counts one bad frame; true when the socket has used up its tolerance (caller closes with 1008). */
  strike(): boolean {
    this.abuse++;
    return this.abuse > this.shared.abuseLimit;
  }
}
