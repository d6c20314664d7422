/**
 * One client request's life at the gateway: its id, CORS headers, route label
 * and upstream, and one `close` listener that records the outcome (access log
 * line and duration metric) and stops upstream work if the client went away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ExchangeObserver = (exchange: Exchange, status: number, ms: number) => void;

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** CORS headers for this request's Origin (flat list; just `vary: Origin` when not allowed). */
  readonly cors: readonly string[];
  readonly started = performance.now();
  /** Route prefix or gateway endpoint, for metrics. */
  route = 'unmatched';
  /** The upstream instance that answered (for the access log). */
  upstream: string | undefined;
  /** Set while an upstream request is in flight; called if the client goes away first. */
  abortUpstream: (() => void) | undefined;
  clientGone = false;
  readonly #observe: ExchangeObserver;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    cors: readonly string[],
    observe: ExchangeObserver,
  ) {
    this.req = req;
    this.res = res;
    this.requestId = requestId;
    this.cors = cors;
    this.#observe = observe;
    res.once('close', this.#onClose);
  }

  readonly #onClose = (): void => {
    const res = this.res;
    if (!res.writableFinished) {
      this.clientGone = true;
      this.abortUpstream?.();
    }
    // 499: the client closed before an answer started (nginx's convention).
    const status = res.headersSent ? res.statusCode : 499;
    this.#observe(this, status, performance.now() - this.started);
  };
}
