/**
 * The client side of the multi-host test, as a real client rides out faults:
 * - a sender that sends each message with its own client_msg_id and, when a
 *   send fails (an error answer, a reset, a timeout), sends it again with the
 *   same id through the other gateway until it is answered 201 (the
 *   idempotent send makes the retry safe);
 * - a receiver that keeps one socket open and, whenever it closes, reconnects
 *   through the next gateway with `after=<last cursor it was sent>`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { client, openSocket, type TestSocket, type TestUser } from '@lockbox/testkit';

const RETRY_PAUSE_MS = 250;

export class RetryingSender {
  readonly #gateways: string[];
  readonly #from: TestUser;
  #turn = 0;
  /** Sends that had to be retried (for the report; each retry kept its client_msg_id). */
  retries = 0;

  constructor(gateways: string[], from: TestUser) {
    this.#gateways = gateways;
    this.#from = from;
  }

  /** Sends `note` to `to`; resolves once a gateway answered 201, or throws at `deadlineMs`. */
  async send(to: TestUser, note: string, deadlineMs = 60_000): Promise<void> {
    const body = {
      recipient_id: to.id,
      client_msg_id: randomUUID(),
      encrypted_blob: Buffer.from(note.padEnd(48, '.')).toString('base64'),
      signature: randomBytes(64).toString('base64'),
    };
    const deadline = Date.now() + deadlineMs;
    let last = '';
    for (;;) {
      const gateway = this.#gateways[this.#turn++ % this.#gateways.length] as string;
      try {
        const res = await client(gateway).post('/messages/send', {
          token: this.#from.token,
          body,
          timeoutMs: 10_000,
        });
        if (res.status === 201) return;
        last = `${res.status} ${res.text.slice(0, 200)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`send of ${note} never answered 201: ${last}`);
      this.retries++;
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
}

export class ResumingReceiver {
  readonly sockets: TestSocket[] = [];
  readonly #gateways: string[];
  readonly #user: TestUser;
  #turn: number;
  #stopped = false;
  #watch: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;

  constructor(gateways: string[], user: TestUser, firstGateway = 0) {
    this.#gateways = gateways;
    this.#user = user;
    this.#turn = firstGateway;
  }

  /** new_message cursors across every socket, in arrival order (each socket closed before the next). */
  received(): string[] {
    return this.sockets.flatMap((s) => s.cursors());
  }

  /** Connects, and from then on reconnects whenever the socket closes. */
  async start(): Promise<void> {
    await this.#connect();
    this.#watch = setInterval(() => {
      if (!this.#stopped && this.sockets.at(-1)?.closed && !this.#connecting) void this.#connect();
    }, 100);
  }

  /** Drops the socket without waiting for a close the network may never deliver (a partition). */
  abandon(): void {
    const s = this.sockets.at(-1);
    if (s && !s.closed) {
      s.ws.terminate();
    }
  }

  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      while (!this.#stopped) {
        const gateway = this.#gateways[this.#turn++ % this.#gateways.length] as string;
        const after = this.received().at(-1) ?? '0';
        try {
          const s = await openSocket(gateway, { token: this.#user.token, after });
          if (!('refused' in s)) {
            this.sockets.push(s);
            return;
          }
        } catch {
          // gateway unreachable: the next one
        }
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#watch) clearInterval(this.#watch);
    for (const s of this.sockets) s.close();
  }
}
