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
import { type TServerFrame, WS_CLOSE } from '@lockbox/contracts';
import type WebSocket from 'ws';
import { compareCursors, isNextCursor } from '../delivery/cursor';
import type { StoredMessage } from '../delivery/history';
import type { ConnectionShared, NewMessageFrame } from './connection-shared';
import { type FetchingSocket, fetchHistoryPage } from './history-fetch';
import { resumePosition } from './resume-position';

export type { ConnectionShared, NewMessageFrame } from './connection-shared';
export { resumePosition } from './resume-position';

/** Live messages held while the pump runs; beyond this they are dropped and fetched again instead. */
const MAX_PENDING = 1_000;
const OPEN = 1;

export class Connection implements FetchingSocket {
  /** Heartbeat: set by every pong and frame, cleared by every ping round. */
  alive = true;
  closed = false;
  /** Last message cursor sent. undefined: live only, no position yet; null: before the first message. */
  lastCursor: string | null | undefined;
  /** The highest message cursor actually sent on this socket (a start position is not a send). */
  #highestSent: string | undefined;
  #abuse = 0;
  #tokens: number;
  #refilledAt = Date.now();
  #pumping = false;
  #pending: NewMessageFrame[] | undefined;
  #refetch = false;
  /** An explicit resume waiting to be served by the pump (`after` null: from the start). */
  #resumeAsked: { after: string | null } | undefined;
  /** Ends the wait before the next history fetch attempt, while one is waiting. */
  #wakeFetch: (() => void) | undefined;
  readonly #shared: ConnectionShared;

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly sessionId: string,
    shared: ConnectionShared,
  ) {
    this.#shared = shared;
    this.#tokens = shared.framesPerSecond * 2;
  }

  // --- sending -----------------------------------------------------------------

  /** Sends a frame unless the socket is gone or not reading; a socket past its buffer bound is cut off. */
  sendRaw(json: string): boolean {
    if (this.closed || this.ws.readyState !== OPEN) return false;
    if (this.ws.bufferedAmount > this.#shared.sendBufferLimit) {
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
    this.#pending = undefined;
    this.#wakeFetch?.();
  }

  // --- messages ------------------------------------------------------------------

  /** A live new_message for this socket's user (`json` is the frame, serialised once per fan-out). */
  offerMessage(frame: NewMessageFrame, json: string) {
    if (this.closed) return;
    const cursor = frame.data.cursor;
    if (this.#pumping) {
      this.#hold(frame);
      // A live message was just committed and handed over: message-service is up, so a
      // history fetch waiting out its retry delay can try again now instead of seconds later.
      this.#wakeFetch?.();
      return;
    }
    const last = this.lastCursor;
    if (last === undefined) {
      // Live only (no resume asked): this message starts the socket's position.
      if (this.sendRaw(json)) this.#markSent(cursor);
      return;
    }
    if (last !== null && compareCursors(cursor, last) <= 0) return; // already sent
    if (isNextCursor(last, cursor)) {
      if (this.sendRaw(json)) this.#markSent(cursor);
      return;
    }
    // An earlier message has not arrived live (yet): fetch history so order holds.
    this.#hold(frame);
    this.#startPump();
  }

  /** A `resume {after}` frame or `?after=`: replay after that cursor, then live. */
  resume(after: string | null) {
    this.#resumeAsked = { after };
    this.#startPump();
  }

  /** Fetch what may have been missed (e.g. after the fan-out was down), when the socket has a position. */
  catchUp() {
    if (this.lastCursor === undefined || this.closed) return;
    this.#refetch = true;
    this.#startPump();
  }

  get isPumping() {
    return this.#pumping;
  }

  #hold(frame: NewMessageFrame) {
    if (this.#refetch) return;
    this.#pending ??= [];
    const pending = this.#pending;
    if (pending.length >= MAX_PENDING) {
      // Committed messages can always be fetched again; memory per socket stays bounded.
      this.#pending = undefined;
      this.#refetch = true;
      return;
    }
    pending.push(frame);
  }

  #startPump() {
    if (this.#pumping || this.closed) return;
    this.#pumping = true;
    this.#pump()
      .catch((err) => {
        this.#shared.log.error({ err, userId: this.userId }, 'delivery pump failed');
        this.close(WS_CLOSE.internalError, 'delivery failed');
      })
      .finally(() => {
        this.#pumping = false;
      });
  }

  async #pump() {
    let replayed = 0;
    let answerResume = false;
    for (;;) {
      if (this.closed) return;
      if (this.#resumeAsked) {
        this.lastCursor = resumePosition(this.#highestSent, this.#resumeAsked.after);
        this.#resumeAsked = undefined;
        answerResume = true;
        replayed = 0;
      }
      this.#refetch = false;
      const from = this.lastCursor ?? null;
      const page = await fetchHistoryPage(this, this.#shared, from);
      if (!page || this.closed) return;
      for (const message of page.messages) {
        if (!(await this.#sendReplayed(message))) return;
        replayed++;
      }
      if (page.has_more || this.#resumeAsked || this.#refetch) continue;
      // Caught up. From here to the end no await: live messages arriving now are still held.
      if (this.#flushPending()) continue;
      if (answerResume) this.send({ type: 'resumed', data: { cursor: this.lastCursor ?? null, replayed } });
      return;
    }
  }

  /** Sends held live messages in cursor order; true when a gap remains (fetch again). */
  #flushPending(): boolean {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return false;
    pending.sort((a, b) => compareCursors(a.data.cursor, b.data.cursor));
    for (const frame of pending) {
      const last = this.lastCursor ?? null;
      const cursor = frame.data.cursor;
      if (last !== null && compareCursors(cursor, last) <= 0) continue;
      if (!isNextCursor(last, cursor)) return true;
      if (!this.sendRaw(JSON.stringify(frame))) return false;
      this.#markSent(cursor);
    }
    return false;
  }

  async #sendReplayed(message: StoredMessage): Promise<boolean> {
    const last = this.lastCursor;
    if (last != null && compareCursors(message.cursor, last) <= 0) return true;
    if (this.ws.bufferedAmount > this.#shared.sendBufferLimit / 2 && !(await this.#drained())) {
      this.cutOff('client is not reading');
      return false;
    }
    if (!this.send({ type: 'new_message', data: message })) return false;
    this.#markSent(message.cursor);
    return true;
  }

  /** Cursors only grow on a socket, so the last one sent is also the highest. */
  #markSent(cursor: string) {
    this.lastCursor = cursor;
    this.#highestSent = cursor;
  }

  async #drained(): Promise<boolean> {
    const deadline = Date.now() + this.#shared.drainTimeoutMs;
    while (!this.closed && this.ws.bufferedAmount > this.#shared.sendBufferLimit / 4) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return !this.closed;
  }

  holdFetchWake(wake: () => void) {
    this.#wakeFetch = wake;
  }

  releaseFetchWake(wake: () => void) {
    if (this.#wakeFetch === wake) this.#wakeFetch = undefined;
  }

  // --- client frames -------------------------------------------------------------

  /** Token bucket over client frames; false when this frame is over the rate. */
  takeToken(): boolean {
    const now = Date.now();
    const rate = this.#shared.framesPerSecond;
    this.#tokens = Math.min(rate * 2, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Counts one bad frame; true when the socket has used up its tolerance (caller closes with 1008). */
  strike(): boolean {
    this.#abuse++;
    return this.#abuse > this.#shared.abuseLimit;
  }
}
