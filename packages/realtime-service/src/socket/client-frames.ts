/**
 * Frames from the client: `ping`, `typing {to}`, `resume {after}`. Anything
 * else (binary, not JSON, unknown type, bad shape, too many per second) gets
 * an `error` frame and counts against the socket; past the tolerance the
 * socket closes with 1008. Nothing a client sends can throw out of here.
 */
import { CLIENT_FRAME_TYPES, type TClientFrame, WS_CLOSE, ZClientFrameSchema } from '@lockbox/contracts';
import type { RawData } from 'ws';
import type { Connection } from './connection';

export interface ClientFrameHandlers {
  /** Relays a typing hint; false when `to` is not a contact of the sender. */
  typing(conn: Connection, to: string, typing: boolean): Promise<boolean>;
}

type FrameErrorCode = 'invalid_json' | 'invalid_frame' | 'forbidden' | 'rate_limited';

const KNOWN_TYPES = new Set<string>(CLIENT_FRAME_TYPES);

export const createClientFrameHandler = (handlers: ClientFrameHandlers) => {
  const refuse = (conn: Connection, code: FrameErrorCode, message: string) => {
    conn.send({ type: 'error', data: { code, message } });
    if (conn.strike()) conn.close(WS_CLOSE.policyViolation, 'too many invalid frames');
  };

  const parse = (conn: Connection, data: RawData, isBinary: boolean): TClientFrame | undefined => {
    if (isBinary) return void refuse(conn, 'invalid_frame', 'frames are JSON text');
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return void refuse(conn, 'invalid_json', 'frame is not valid JSON');
    }
    const type = (json as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !KNOWN_TYPES.has(type))
      return void refuse(
        conn,
        'invalid_frame',
        typeof type === 'string'
          ? `unknown frame type "${type.slice(0, 32)}"`
          : 'a frame is {"type": ..., "data": ...}',
      );
    const parsed = ZClientFrameSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return void refuse(
        conn,
        'invalid_frame',
        `bad "${type}" frame: ${where}${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  };

  return (conn: Connection, data: RawData, isBinary: boolean) => {
    conn.alive = true;
    if (!conn.takeToken()) return refuse(conn, 'rate_limited', 'too many frames; slow down');
    const frame = parse(conn, data, isBinary);
    if (!frame) return;
    switch (frame.type) {
      case 'ping':
        conn.send({
          type: 'pong',
          data: {
            ...(frame.data?.nonce !== undefined ? { nonce: frame.data.nonce } : {}),
            server_time: Date.now(),
          },
        });
        return;
      case 'resume':
        conn.resume(frame.data.after);
        return;
      case 'typing':
        if (frame.data.to === conn.userId) return refuse(conn, 'invalid_frame', 'typing to yourself');
        handlers.typing(conn, frame.data.to, frame.data.typing).then(
          (allowed) => {
            if (!allowed) refuse(conn, 'forbidden', 'typing goes to contacts only');
          },
          () => undefined, // contacts unavailable right now: a lost typing hint is harmless
        );
        return;
    }
  };
};
