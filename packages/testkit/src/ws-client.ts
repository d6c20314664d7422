/**
 * A test WebSocket client (`ws`): opens a socket through the gateway like a
 * real client, records every frame, and waits by polling with a timeout. A
 * refused upgrade resolves with the HTTP status and body instead of throwing.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '@lockbox/contracts';
import WebSocket from 'ws';
import { eventually } from './client';

export interface Frame {
  type: string;
  data: Record<string, unknown>;
}

export interface OpenOptions {
  token?: string;
  /** Send the token as the `bearer.<token>` subprotocol (browser style) instead of `?token=`. */
  viaProtocol?: boolean;
  after?: string;
  /** `/ws/{user_id}` (original clients). */
  pathUserId?: string;
  origin?: string;
  localAddress?: string;
}

export interface Refused {
  refused: true;
  status: number;
  body: { error?: { code: string; message: string } };
}

export class TestSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    ws.on('error', () => undefined);
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Cursors of the new_message frames, in arrival order. */
  cursors(): string[] {
    return this.ofType('new_message').map((f) => f.data.cursor as string);
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  waitFor(check: (s: TestSocket) => boolean, timeoutMs = 20_000, what = 'frames') {
    return eventually(async () => (check(this) ? true : undefined), timeoutMs, 20).catch((err) => {
      throw new Error(
        `${what}: ${(err as Error).message}; got ${JSON.stringify(this.frames.map((f) => f.type))}, closed ${JSON.stringify(this.closed)}`,
      );
    });
  }

  waitClosed(timeoutMs = 10_000) {
    return this.waitFor((s) => s.closed !== undefined, timeoutMs, 'close').then(
      () => this.closed as { code: number; reason: string },
    );
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  /** The TCP socket under the WebSocket (to pause reading, or to write frames `ws` would refuse). */
  get tcp(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  /** Writes a client close frame with any status code (`ws` refuses invalid ones) straight to the TCP socket. */
  writeRawClose(code: number) {
    const mask = randomBytes(4);
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    const frame = Buffer.concat([Buffer.from([0x88, 0x80 | payload.length]), mask, payload]);
    this.tcp.write(frame);
  }
}

/**
 * A misbehaving client on an open socket, in order: a non-JSON frame and two
 * frames the protocol does not accept, a ping (the socket must still answer),
 * then a frame over the 64 KiB frame limit. Returns the error codes answered
 * and the close code, for the test to compare.
 */
export const misbehave = async (s: TestSocket) => {
  s.send('definitely not json');
  s.send({ type: 'subscribe_all', data: {} });
  s.send({ type: 'typing', data: { to: 42 } });
  await s.waitFor((x) => x.ofType('error').length === 3);
  const errorCodes = s.ofType('error').map((f) => f.data.code);
  s.send({ type: 'ping' });
  await s.waitFor((x) => x.ofType('pong').length === 1, undefined, 'pong after the bad frames');
  s.send(JSON.stringify({ type: 'ping', data: { nonce: 'x'.repeat(70 * 1024) } }));
  return { errorCodes, closeCode: (await s.waitClosed()).code };
};

export const wsUrlOf = (httpBase: string, opts: OpenOptions = {}) => {
  const url = new URL(httpBase);
  url.protocol = 'ws:';
  url.pathname = opts.pathUserId ? `/ws/${opts.pathUserId}` : '/ws';
  if (opts.token && !opts.viaProtocol) url.searchParams.set('token', opts.token);
  if (opts.after !== undefined) url.searchParams.set('after', opts.after);
  return url.toString();
};

/** Opens a socket; resolves with it once open, or with the refusal's status and body. */
export const openSocket = (httpBase: string, opts: OpenOptions = {}): Promise<TestSocket | Refused> =>
  new Promise((resolve, reject) => {
    const protocols =
      opts.token && opts.viaProtocol
        ? [WS_SUBPROTOCOL, `${WS_TOKEN_SUBPROTOCOL_PREFIX}${opts.token}`]
        : undefined;
    const ws = new WebSocket(wsUrlOf(httpBase, opts), protocols, {
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    // Frames can follow the 101 at once (replay, presence): record from the start.
    const socket = new TestSocket(ws);
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => {
        let json: Refused['body'] = {};
        try {
          json = JSON.parse(body);
        } catch {
          // not JSON: the status says enough
        }
        resolve({ refused: true, status: res.statusCode ?? 0, body: json });
      });
    });
    ws.once('error', (err) => {
      if (ws.readyState !== WebSocket.OPEN) reject(err);
    });
  });

/** Opens a socket that must be accepted. */
export const mustOpen = async (httpBase: string, opts: OpenOptions): Promise<TestSocket> => {
  const s = await openSocket(httpBase, opts);
  if ('refused' in s) throw new Error(`socket refused: ${s.status} ${JSON.stringify(s.body)}`);
  return s;
};
