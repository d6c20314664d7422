/**
 * In-memory stand-ins for unit tests: a socket that records what it was sent,
 * and one user's message stream with dense cursors whose history reads can be
 * held open, so live deliveries can be made to land in the middle of a replay.
 */
import type { Logger } from '@lockbox/service-kit';
import type WebSocket from 'ws';
import type { HistoryPage, HistorySource, StoredMessage } from '../../src/delivery/history';
import type { ConnectionShared, NewMessageFrame } from '../../src/socket/connection';
import { FetchRetryWaits } from '../../src/socket/fetch-waits';

export class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;

  send(json: string) {
    this.sent.push(json);
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
  frames(): Array<{ type: string; data: Record<string, unknown> }> {
    return this.sent.map((s) => JSON.parse(s));
  }
  /** Cursors of the new_message frames, in the order they were sent. */
  cursors(): string[] {
    return this.frames()
      .filter((f) => f.type === 'new_message')
      .map((f) => f.data.cursor as string);
  }
  asWs(): WebSocket {
    return this as unknown as WebSocket;
  }
}

const USER = 'usr_0000000000000000000000000a';
const OTHER = 'usr_0000000000000000000000000b';

export class FakeStream implements HistorySource {
  readonly userId = USER;
  messages: StoredMessage[] = [];
  /** The read (1-based) whose answer is held back until `release()`: its snapshot is already taken. */
  #heldRead: number | undefined;
  #gate: Promise<void> | undefined;
  #openGate: (() => void) | undefined;
  reads = 0;
  failuresLeft = 0;

  commit(): StoredMessage {
    const cursor = String(this.messages.length + 1);
    const m: StoredMessage = {
      id: `msg_${cursor.padStart(26, '0')}`,
      cursor,
      sender_id: OTHER,
      recipient_id: USER,
      encrypted_blob: 'AAAA',
    };
    this.messages.push(m);
    return m;
  }
  frame(m: StoredMessage): NewMessageFrame {
    return { type: 'new_message', data: m };
  }
  /** Holds back the answer of read number `read` (default: the next one). */
  hold(read = this.reads + 1) {
    this.#heldRead = read;
    this.#gate = new Promise((r) => {
      this.#openGate = r;
    });
  }
  release() {
    this.#heldRead = undefined;
    this.#openGate?.();
  }
  async messagesAfter(_userId: string, after: string | null, limit: number): Promise<HistoryPage> {
    const read = ++this.reads;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('message-service down');
    }
    // The database answers now; what commits while the answer travels back is not in it.
    const from = after === null ? 0 : Number(after);
    const rest = this.messages.filter((m) => Number(m.cursor) > from);
    const page = { messages: rest.slice(0, limit), has_more: rest.length > limit };
    if (read === this.#heldRead) await this.#gate;
    return page;
  }
  async headCursor(): Promise<string> {
    return String(this.messages.length);
  }
  async contactsOf(): Promise<string[]> {
    return [OTHER];
  }
}

const noop = () => undefined;
export const silentLog = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLog,
} as unknown as Logger;

export const sharedFor = (
  history: HistorySource,
  overrides: Partial<ConnectionShared> = {},
): ConnectionShared => ({
  history,
  log: silentLog,
  sendBufferLimit: 1024 * 1024,
  replayPage: 3,
  framesPerSecond: 20,
  abuseLimit: 3,
  fetchRetryDelays: [1, 1, 5],
  fetchWaits: new FetchRetryWaits(),
  warnedAt: { history: 0 },
  drainTimeoutMs: 200,
  ...overrides,
});

/** Resolves once `check` holds, polling the event loop (no fixed sleeps). */
export const until = async (check: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};
