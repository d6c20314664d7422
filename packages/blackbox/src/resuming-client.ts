/**
 * A client that rides out a fault the way a real one should: it keeps every
 * socket it opened, and reconnects with `after=<last cursor it was sent>`
 * until the gateway lets it in again, keeping the refusals it met on the way
 * (each must be a clean error, see clean-errors.ts).
 */
import { eventually, openSocket, type Refused, type TestSocket, type TestUser } from '@lockbox/testkit';

export class ResumingClient {
  readonly sockets: TestSocket[] = [];
  readonly refusals: Refused[] = [];

  readonly #gatewayUrl: string;
  readonly #user: TestUser;

  constructor(gatewayUrl: string, user: TestUser) {
    this.#gatewayUrl = gatewayUrl;
    this.#user = user;
  }

  /** Cursors of every new_message across all sockets, oldest socket first (each closed before the next). */
  received(): string[] {
    return this.sockets.flatMap((s) => s.cursors());
  }

  last(): string {
    return this.received().at(-1) ?? '0';
  }

  get socket(): TestSocket | undefined {
    return this.sockets.at(-1);
  }

  /** Opens a socket resuming after the last cursor, polling through refusals until `timeoutMs`. */
  async connect(timeoutMs = 30_000): Promise<TestSocket> {
    const socket = await eventually(
      async () => {
        const s = await openSocket(this.#gatewayUrl, { token: this.#user.token, after: this.last() });
        if (!('refused' in s)) return s;
        this.refusals.push(s);
        return undefined;
      },
      timeoutMs,
      100,
    );
    this.sockets.push(socket);
    return socket;
  }

  /** Waits until the sockets together were sent `count` messages. */
  waitForCount(count: number, timeoutMs = 30_000): Promise<void> {
    return eventually(async () => (this.received().length >= count ? true : undefined), timeoutMs, 25).then(
      () => undefined,
      (err: Error) => {
        throw new Error(`${this.#user.username} got ${this.received().length}/${count}: ${err.message}`);
      },
    );
  }

  closeAll(): void {
    for (const s of this.sockets) s.close();
  }
}
