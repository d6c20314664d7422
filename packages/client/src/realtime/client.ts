/**
 * The realtime client: one WebSocket to `/v1/ws`, kept open. It authenticates
 * with the `lockbox.v1` + `bearer.<token>` subprotocols (the token stays out of
 * URLs and logs), asks for everything after the last cursor it handled
 * (`?after=`), and hands each typed frame to `onFrame` one at a time, in order.
 * The cursor advances only after `onFrame` resolved for that message, so a
 * crash mid-handling replays it next time. When the socket drops it
 * reconnects with jittered exponential backoff; a missing pong within
 * `pongTimeoutMs` counts as a drop. Messages replayed twice (a resume racing a
 * live delivery) are skipped by id.
 *
 * WebSocket is injected: the browser's own, or `ws` in Node (`@lockbox/client/node`).
 */
import {
  API_BASE_PATH,
  type TServerFrame,
  WS_CLOSE,
  WS_SUBPROTOCOL,
  WS_TOKEN_SUBPROTOCOL_PREFIX,
  ZServerFrameSchema,
} from '@lockbox/contracts';
import { type BackoffOptions, createBackoff } from './backoff';

/** The slice of the WebSocket API both the browser and `ws` provide. */
export interface MinimalWebSocket {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = (url: string, protocols: string[]) => MinimalWebSocket;

export type RealtimeState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RealtimeOptions {
  /** Gateway base URL (http or https); `/v1/ws` is appended. */
  baseUrl: string;
  /** A valid access token, or undefined when the session is over. */
  getToken: (opts: { forceRefresh: boolean }) => Promise<string | undefined>;
  webSocket: WebSocketFactory;
  /** Resume position: the cursor of the last message handled (undefined: from the start). */
  cursor?: string;
  onFrame: (frame: TServerFrame) => Promise<void> | void;
  /** Called after each message is handled, with its cursor, so it can be persisted. */
  onCursor?: (cursor: string) => Promise<void> | void;
  onState?: (state: RealtimeState, detail?: string) => void;
  /** The session ended (logged out, revoked): the client stops and will not reconnect. */
  onSessionEnded?: () => void;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

const OPEN = 1;

export class RealtimeClient {
  #socket: MinimalWebSocket | undefined;
  #stopped = true;
  #cursor: string | undefined;
  readonly #backoff;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastPong = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #seen = new Set<string>();
  #forceRefresh = false;
  /** How many times a socket was opened (tests and status lines). */
  connections = 0;

  readonly #opts: RealtimeOptions;

  constructor(opts: RealtimeOptions) {
    this.#opts = opts;
    this.#cursor = opts.cursor;
    this.#backoff = createBackoff(opts.backoff);
  }

  get lastCursor(): string | undefined {
    return this.#cursor;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#connect();
  }

  /** Stops for good: closes the socket and waits for frames already received to be handled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pingTimer);
    this.#socket?.close(1000, 'client stopped');
    this.#socket = undefined;
    this.#setState('closed');
    await this.#queue;
  }

  /** Sends a client frame when connected; returns false when offline (typing hints are best-effort). */
  send(
    frame:
      | { type: 'typing'; data: { to: string; typing: boolean } }
      | { type: 'ping'; data?: { nonce?: string } },
  ): boolean {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #setState(state: RealtimeState, detail?: string) {
    this.#opts.onState?.(state, detail);
  }

  #wsUrl(): string {
    const url = new URL(`${this.#opts.baseUrl.replace(/\/+$/, '')}${API_BASE_PATH}/ws`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.#cursor !== undefined) url.searchParams.set('after', this.#cursor);
    return url.toString();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#setState(this.connections === 0 ? 'connecting' : 'reconnecting');
    let token: string | undefined;
    try {
      token = await this.#opts.getToken({ forceRefresh: this.#forceRefresh });
    } catch (err) {
      this.#scheduleReconnect(`token refresh failed: ${(err as Error).message}`);
      return;
    }
    this.#forceRefresh = false;
    if (!token) {
      this.#endSession();
      return;
    }
    if (this.#stopped) return;
    let socket: MinimalWebSocket;
    try {
      socket = this.#opts.webSocket(this.#wsUrl(), [
        WS_SUBPROTOCOL,
        `${WS_TOKEN_SUBPROTOCOL_PREFIX}${token}`,
      ]);
    } catch (err) {
      this.#scheduleReconnect((err as Error).message);
      return;
    }
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.connections++;
      this.#lastPong = Date.now();
      this.#startHeartbeat(socket);
      this.#setState('open');
    };
    socket.onmessage = (ev) => this.#receive(ev.data);
    socket.onerror = () => {
      // The close event follows with the details.
    };
    socket.onclose = (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      clearInterval(this.#pingTimer);
      if (this.#stopped) return;
      if (ev.code === WS_CLOSE.sessionEnded) {
        this.#endSession();
        return;
      }
      // A refused upgrade (expired token, most often) never opens: refresh before trying again.
      if (!opened) this.#forceRefresh = true;
      this.#scheduleReconnect(`closed ${ev.code}${ev.reason ? ` ${ev.reason}` : ''}`);
    };
  }

  #endSession() {
    this.#stopped = true;
    this.#setState('closed', 'session ended');
    this.#opts.onSessionEnded?.();
  }

  #scheduleReconnect(reason: string) {
    if (this.#stopped) return;
    const delay = this.#backoff.next();
    this.#setState('reconnecting', `${reason}; retrying in ${delay} ms`);
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay);
  }

  #startHeartbeat(socket: MinimalWebSocket) {
    const interval = this.#opts.pingIntervalMs ?? 20_000;
    const timeout = this.#opts.pongTimeoutMs ?? 10_000;
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastPong > interval + timeout) {
        socket.close(4000, 'no pong');
        return;
      }
      if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: 'ping', data: {} }));
    }, interval);
  }

  #receive(data: unknown) {
    this.#lastPong = Date.now();
    let json: unknown;
    try {
      json = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      return;
    }
    const parsed = ZServerFrameSchema.safeParse(json);
    if (!parsed.success) return; // a frame type from a newer server: ignore it
    const frame = parsed.data;
    if (frame.type === 'resumed') this.#backoff.reset();
    this.#queue = this.#queue.then(() => this.#handle(frame)).catch(() => undefined);
  }

  async #handle(frame: TServerFrame) {
    if (frame.type === 'new_message') {
      const { id, cursor } = frame.data;
      if (this.#seen.has(id)) return;
      await this.#opts.onFrame(frame);
      this.#remember(id);
      this.#cursor = cursor;
      await this.#opts.onCursor?.(cursor);
      return;
    }
    await this.#opts.onFrame(frame);
  }

  #remember(id: string) {
    this.#seen.add(id);
    if (this.#seen.size > 2_000) {
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
  }
}
