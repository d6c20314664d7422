/**
 * One client request's life at the gateway: its id, CORS headers, route label
 * and upstream, and one `close` listener that records the outcome (access log
 * line and duration metric) and stops upstream work if the client went away.
 * The listener is one shared function (the exchange hangs off the response),
 * so a request allocates no closure for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ExchangeObserver = (exchange: Exchange, status: number, ms: number) => void;

/** An upstream request in flight that can be called off. */
export interface Abortable {
  abort(): void;
}

const EXCHANGE = Symbol('lockbox.exchange');
type TaggedResponse = ServerResponse & { [EXCHANGE]?: Exchange };

function onResponseClose(this: TaggedResponse): void {
  this[EXCHANGE]?.closed();
}

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** CORS headers for this request's Origin (flat list; just `vary: Origin` when not allowed). */
  readonly cors: readonly string[];
  readonly started: number;
  /** The URL as the client sent it (a `/v1/...` request is forwarded unversioned): for the access log. */
  readonly clientUrl: string | undefined;
  /** Route prefix or gateway endpoint, for metrics. */
  route = 'unmatched';
  /** The upstream instance that answered (for the access log). */
  upstream: string | undefined = undefined;
  /** Set while an upstream request is in flight; aborted if the client goes away first. */
  inFlight: Abortable | undefined = undefined;
  clientGone = false;
  readonly #observe: ExchangeObserver;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    cors: readonly string[],
    observe: ExchangeObserver,
  ) {
    this.started = performance.now();
    this.req = req;
    this.clientUrl = req.url;
    this.res = res;
    this.requestId = requestId;
    this.cors = cors;
    this.#observe = observe;
    (res as TaggedResponse)[EXCHANGE] = this;
    res.on('close', onResponseClose); // 'close' comes once; `on` spares once()'s wrapper
  }

  /** The response is done or the connection is gone. */
  closed(): void {
    const res = this.res;
    if (!res.writableFinished) {
      this.clientGone = true;
      this.inFlight?.abort();
    }
    // 499: the client closed before an answer started (nginx's convention).
    const status = res.headersSent ? res.statusCode : 499;
    this.#observe(this, status, performance.now() - this.started);
  }
}
