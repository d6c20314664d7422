/**
 * The connect phase of a WebSocket upgrade, done before http-proxy-3 writes a
 * byte: an http.Agent (one per upgrade) whose `createConnection` connects to
 * the picked realtime instance and, when that connection is refused (or times
 * out connecting — nothing was sent either way), ejects the instance and
 * tries the next one, each at most once. http-proxy-3 destroys the client's
 * socket after an upstream error, so this is the only point where a dead
 * instance can still be skipped; it gets the socket of whichever connected.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { classifyUpstreamError } from './upstream-errors';
import type { ServiceUpstreams, UpstreamInstance } from './upstreams';

export interface FailoverEvents {
  /** `instance` refused the connection (or timed out connecting). */
  refused(instance: UpstreamInstance, err: Error): void;
  /** `instance` took the connection: the upgrade request goes to it. */
  connected(instance: UpstreamInstance): void;
}

export class FailoverAgent extends http.Agent {
  readonly #upstreams: ServiceUpstreams;
  readonly #first: UpstreamInstance;
  readonly #connectTimeoutMs: number;
  readonly #events: FailoverEvents;

  constructor(
    upstreams: ServiceUpstreams,
    first: UpstreamInstance,
    connectTimeoutMs: number,
    events: FailoverEvents,
  ) {
    super({ keepAlive: false });
    this.#upstreams = upstreams;
    this.#first = first;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#events = events;
  }

  override createConnection(
    _options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    // Node's Agent always passes the callback; an error goes with no socket.
    const created = callback as (err: Error | null, stream?: Duplex) => void;
    const tried: UpstreamInstance[] = [];
    const attempt = (instance: UpstreamInstance) => {
      const { hostname, port } = new URL(instance.url);
      const socket = net.connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
      const settle = () => {
        socket.removeListener('connect', connected).removeListener('error', failed);
        socket.removeListener('timeout', timedOut).setTimeout(0);
      };
      const failed = (err: Error) => {
        settle();
        socket.destroy();
        if (classifyUpstreamError(err) !== 'refused') return created(err);
        this.#events.refused(instance, err);
        tried.push(instance);
        const next = this.#upstreams.pick(tried);
        if (next === undefined) created(err);
        else attempt(next);
      };
      const timedOut = () =>
        failed(Object.assign(new Error('connect timed out'), { code: 'UND_ERR_CONNECT_TIMEOUT' }));
      const connected = () => {
        settle();
        instance.reached();
        this.#events.connected(instance);
        created(null, socket);
      };
      socket.once('connect', connected).once('error', failed).once('timeout', timedOut);
      socket.setTimeout(this.#connectTimeoutMs);
    };
    attempt(this.#first);
    return undefined;
  }
}
