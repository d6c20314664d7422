/**
 * A recipient's WebSocket, like a real client's: it reconnects when the
 * socket closes (with backoff) and resumes from the last cursor it got, and it
 * checks LockBox's delivery promise on the way — each `new_message` cursor of
 * a viewer's stream arrives once, in order (the stream is dense: 1, 2, 3, …).
 */
import { WebSocket } from 'ws';

export interface MessageFrameData {
  cursor?: string;
  client_msg_id?: string;
  encrypted_blob?: string;
}

/** What one frame was, judged against the cursors this recipient got before it. */
export interface CursorVerdict {
  /** A cursor this recipient had already received: a duplicate delivery. */
  duplicate: boolean;
  /** Exactly the next cursor after the last one (the stream's promise). */
  next: boolean;
  /** A new cursor lower than the last one: delivered out of order. */
  outOfOrder: boolean;
}

/** Every cursor one recipient received, with counts of what broke the promise. */
export class CursorStream {
  readonly seen = new Set<number>();
  /** Highest cursor received; a reconnect resumes after it. */
  last = 0;
  duplicates = 0;
  outOfOrder = 0;
  /** New cursors beyond last + 1 (a gap; filled later or lost). */
  gaps = 0;

  accept(cursor: number): CursorVerdict {
    const verdict = {
      duplicate: this.seen.has(cursor),
      next: cursor === this.last + 1,
      outOfOrder: !this.seen.has(cursor) && cursor < this.last,
    };
    if (verdict.duplicate) this.duplicates++;
    else {
      this.seen.add(cursor);
      if (verdict.outOfOrder) this.outOfOrder++;
      else if (!verdict.next) this.gaps++;
      if (cursor > this.last) this.last = cursor;
    }
    return verdict;
  }
}

export interface RecipientSocketOptions {
  /** The upgrade URL, resuming after `after` (0: from the start). */
  url(after: number): string;
  protocols?: string[];
  stream: CursorStream;
  /** Every `new_message` frame; `verdict` undefined when the frame has no cursor (a baseline server's). */
  onMessage(data: MessageFrameData, verdict: CursorVerdict | undefined): void;
  /** Reconnect delay: `firstMs`, doubling per failed attempt up to `maxMs`, back to `firstMs` once open. */
  reconnect: { firstMs: number; maxMs: number };
  onClose?(code: number): void;
  onOpen?(reconnected: boolean): void;
}

export interface RecipientSocket {
  readonly open: boolean;
  /** Times an open connection closed (and the client set out to reconnect). */
  readonly reconnects: number;
  /** Stops for good (no reconnect). */
  close(): void;
}

const live = new Set<RecipientSocket>();

/** Stops every recipient socket (the end of a bench, also after an error: none may keep reconnecting). */
export const closeRecipientSockets = () => {
  for (const s of live) s.close();
};

/** Resolves once the first connection is open; rejects if that one is refused. */
export const openRecipientSocket = (opts: RecipientSocketOptions): Promise<RecipientSocket> =>
  new Promise((resolve, reject) => {
    let ws: WebSocket | undefined;
    let open = false;
    let stopped = false;
    let reconnects = 0;
    let delay = opts.reconnect.firstMs;
    let timer: NodeJS.Timeout | undefined;
    const handle: RecipientSocket = {
      get open() {
        return open;
      },
      get reconnects() {
        return reconnects;
      },
      close: () => {
        stopped = true;
        live.delete(handle);
        clearTimeout(timer);
        ws?.terminate();
      },
    };
    live.add(handle);
    const connect = (first: boolean) => {
      if (stopped) return;
      const socket = new WebSocket(opts.url(opts.stream.last), opts.protocols, { perMessageDeflate: false });
      ws = socket;
      socket.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as { type: string; data: MessageFrameData };
        if (frame.type !== 'new_message') return;
        const { cursor } = frame.data;
        opts.onMessage(frame.data, cursor === undefined ? undefined : opts.stream.accept(Number(cursor)));
      });
      socket.once('open', () => {
        open = true;
        delay = opts.reconnect.firstMs;
        opts.onOpen?.(!first);
        if (first) resolve(handle);
      });
      socket.once('unexpected-response', (_req, res) => {
        if (first) {
          handle.close();
          reject(new Error(`socket refused: ${res.statusCode}`));
        }
        res.resume();
        socket.terminate(); // 'close' follows: try again later
      });
      socket.on('error', (err) => {
        if (first && !open) {
          handle.close();
          reject(err);
        }
      });
      socket.once('close', (code) => {
        const wasOpen = open;
        open = false;
        if (stopped || (first && !wasOpen)) return;
        if (wasOpen) {
          reconnects++;
          opts.onClose?.(code);
        }
        timer = setTimeout(() => connect(false), delay);
        delay = Math.min(delay * 2, opts.reconnect.maxMs);
      });
    };
    connect(true);
  });
