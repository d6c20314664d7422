/**
 * Proxies one HTTP request to a service instance over undici's keep-alive
 * pool, streaming both bodies, with undici's low-level dispatch handler: no
 * intermediate response objects, backpressure through pause/resume.
 *
 * Retries only where safe: on another instance when the connection was refused
 * (nothing was sent, the body stream is untouched; each instance at most once,
 * down ones too when every instance is down), and once more for an
 * idempotent GET/HEAD that broke before any answer. Every failure becomes a
 * clean JSON error (503 / 502 / 504) or, once an answer has started, an
 * aborted client connection — never an exception.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from '@lockbox/service-kit';
import type { Dispatcher } from 'undici';
import { refuseUpload, sendError } from './answers';
import type { Abortable, Exchange } from './exchange';
import type { GatewayMetrics } from './metrics';
import { responseHeaders } from './response-headers';
import {
  ANSWER_FOR,
  classifyUpstreamError,
  UNAVAILABLE_RETRY_AFTER_S,
  type UpstreamErrorKind,
} from './upstream-errors';
import type { ServiceUpstreams, UpstreamInstance } from './upstreams';

export interface ProxyContext {
  metrics: GatewayMetrics;
  log: Logger;
}

class BodyTooLargeError extends Error {
  readonly code = 'LOCKBOX_BODY_TOO_LARGE';
}

/** Counts a chunked request body and fails once it passes the limit. */
export class BodyLimiter extends Transform {
  readonly #limit: number;
  #seen = 0;
  constructor(limit: number) {
    super();
    this.#limit = limit;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#limit) done(new BodyTooLargeError('request body over the limit'));
    else done(null, chunk);
  }
}

export type Body = NonNullable<Dispatcher.DispatchOptions['body']>;

export class ProxyHandler implements Dispatcher.DispatchHandler, Abortable {
  readonly #ex: Exchange;
  readonly #upstreams: ServiceUpstreams;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #ctx: ProxyContext;
  #instance: UpstreamInstance | undefined;
  /** Instances that refused this request's connection; created only when one does (rare). */
  #tried: UpstreamInstance[] | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #responded = false;
  #retried = false;
  #resume: (() => void) | undefined;

  constructor(
    ex: Exchange,
    upstreams: ServiceUpstreams,
    headers: string[],
    body: Body | null,
    ctx: ProxyContext,
  ) {
    this.#ex = ex;
    this.#upstreams = upstreams;
    this.#ctx = ctx;
    const method = ex.req.method as string;
    this.#options = {
      path: ex.req.url as string,
      method,
      headers,
      body,
      // Not idempotent for undici means "never pipelined behind another request".
      idempotent: method === 'GET' || method === 'HEAD',
    };
  }

  /** The client went away: stop the upstream request (and free its connection). */
  abort(): void {
    this.#controller?.abort(new Error('client closed the connection'));
  }

  /** Sends to the next instance not tried yet; answers 503 when there is none. */
  start(): void {
    const instance = this.#upstreams.pick(this.#tried);
    if (instance === undefined) {
      this.#unavailable();
      return;
    }
    this.#instance = instance;
    this.#ex.upstream = instance.url;
    this.#ex.inFlight = this;
    this.#controller = undefined;
    instance.pool.dispatch(this.#options, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#ex.clientGone) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the real answer follows
    this.#instance?.reached();
    const res = this.#ex.res;
    if (res.destroyed) return;
    try {
      res.writeHead(statusCode, responseHeaders(headers, this.#ex.requestId, this.#ex.cors));
      this.#responded = true;
    } catch (err) {
      // A header Node will not write: the upstream's answer is unusable.
      controller.abort(
        Object.assign(new Error(`unusable upstream answer: ${(err as Error).message}`), {
          code: 'LOCKBOX_BAD_RESPONSE',
        }),
      );
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const res = this.#ex.res;
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      controller.pause();
      this.#resume ??= () => this.#controller?.resume();
      res.once('drain', this.#resume);
    }
  }

  onResponseEnd(): void {
    this.#ex.inFlight = undefined;
    this.#ex.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    const ex = this.#ex;
    ex.inFlight = undefined;
    // We aborted it ourselves, or the client's upload broke off: nobody to answer, not the upstream's fault.
    if (ex.clientGone || !ex.res.socket || ex.res.socket.destroyed) return;
    const instance = this.#instance as UpstreamInstance;
    const service = this.#upstreams.service;

    if (err instanceof BodyTooLargeError) {
      refuseUpload(ex.req, ex.res, 'payload_too_large', 'request body is too large', ex.requestId, {
        close: true,
        headers: ex.cors,
      });
      return;
    }
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
      // undici refused to send what the client gave us (e.g. a malformed header).
      sendError(ex.res, 'invalid_input', 'the request cannot be forwarded', ex.requestId, {
        headers: ex.cors,
      });
      return;
    }

    const kind = classifyUpstreamError(err);
    this.#ctx.metrics.upstreamError(service, kind);
    if (!this.#responded) {
      if (kind === 'refused') {
        this.#upstreams.eject(instance);
        if (this.#tried === undefined) this.#tried = [instance];
        else this.#tried.push(instance);
        this.#logFailure(kind, err, 'instance ejected; trying another');
        this.start();
        return;
      }
      if (kind === 'reset' && this.#options.idempotent && this.#options.body == null && !this.#retried) {
        this.#retried = true;
        const next = this.#upstreams.pick(this.#tried ? [...this.#tried, instance] : [instance]) ?? instance;
        this.#logFailure(kind, err, 'retrying idempotent request');
        this.#instance = next;
        ex.upstream = next.url;
        ex.inFlight = this;
        this.#controller = undefined;
        next.pool.dispatch(this.#options, this);
        return;
      }
      this.#logFailure(kind, err);
      this.#answer(kind);
      return;
    }
    // The answer already started: all we can do is cut the client connection.
    this.#logFailure(kind, err, 'answer cut short');
    ex.res.destroy();
  }

  #unavailable(): void {
    const ex = this.#ex;
    ex.inFlight = undefined;
    sendError(
      ex.res,
      'service_unavailable',
      `no ${this.#upstreams.service} instance is available; retry shortly`,
      ex.requestId,
      { retryAfter: UNAVAILABLE_RETRY_AFTER_S, headers: ex.cors },
    );
  }

  #answer(kind: UpstreamErrorKind): void {
    const ex = this.#ex;
    const { code, message } = ANSWER_FOR[kind];
    sendError(ex.res, code, message, ex.requestId, {
      headers: ex.cors,
      ...(kind === 'refused' ? { retryAfter: UNAVAILABLE_RETRY_AFTER_S } : {}),
    });
  }

  #logFailure(kind: UpstreamErrorKind, err: Error, note?: string): void {
    this.#ctx.log.warn(
      {
        requestId: this.#ex.requestId,
        service: this.#upstreams.service,
        upstream: this.#instance?.url,
        kind,
        err: { code: (err as { code?: string }).code, message: err.message },
      },
      note ? `upstream ${kind}: ${note}` : `upstream ${kind}`,
    );
  }
}
