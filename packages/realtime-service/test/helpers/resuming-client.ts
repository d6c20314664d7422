/**
 * A client (one device) that keeps what it was sent across reconnects and
 * resumes from its own last cursor, as the SDK does: each instance is one
 * socket at a time with its own cursor.
 */
import { eventually, type Frame, openSocket, type TestSocket, type TestUser } from '@lockbox/testkit';

export class ResumingClient {
  received: string[] = [];
  /** The new_message frames behind `received`, in the same order. */
  frames: Frame[] = [];
  socket: TestSocket | undefined;
  #counted = 0;

  readonly #base: string;
  readonly #user: TestUser;

  constructor(base: string, user: TestUser) {
    this.#base = base;
    this.#user = user;
  }

  get last() {
    return this.received.at(-1) ?? '0';
  }

  /** Moves the current socket's new messages into `received`. */
  collect() {
    const frames = this.socket?.ofType('new_message') ?? [];
    const fresh = frames.slice(this.#counted);
    this.frames.push(...fresh);
    this.received.push(...fresh.map((f) => f.data.cursor as string));
    this.#counted = frames.length;
  }

  async connect() {
    this.collect();
    this.#counted = 0;
    // Through the gateway; while realtime restarts, the gateway answers 503 for a moment.
    this.socket = await eventually(async () => {
      const s = await openSocket(this.#base, { token: this.#user.token, after: this.last });
      return 'refused' in s ? undefined : s;
    }, 30_000);
  }

  drop() {
    this.collect();
    this.socket?.ws.terminate();
    this.socket = undefined;
  }

  async waitForCount(n: number, timeoutMs = 30_000) {
    await eventually(
      async () => {
        this.collect();
        return this.received.length >= n ? true : undefined;
      },
      timeoutMs,
      25,
    );
    this.collect();
  }
}
