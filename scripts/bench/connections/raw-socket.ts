/**
 * A minimal WebSocket client on raw TCP: it answers pings, hands text frames
 * on, and keeps no per-frame state, so tens of thousands fit in a few client
 * processes without the load generator's memory getting in the way.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** A masked client frame (pong, close): clients must mask what they send. */
const maskedFrame = (opcode: number, payload: Buffer) => {
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return out;
};

export interface RawSocketTarget {
  host: string;
  port: number;
  path: string;
  localAddress: string;
}

/** Opens a WebSocket on raw TCP; resolves once `101` arrived; answers pings; hands text frames to `onText`. */
export const openRawSocket = (t: RawSocketTarget, onText: (payload: Buffer) => void): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host: t.host, port: t.port, localAddress: t.localAddress });
    let buf: Buffer | undefined;
    let upgraded = false;
    sock.setNoDelay(true);
    sock.once('connect', () =>
      sock.write(
        `GET ${t.path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    sock.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf ? Buffer.concat([buf, chunk]) : chunk;
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) {
          sock.destroy();
          reject(new Error(status));
          return;
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve(sock);
      }
      while (buf && buf.length >= 2) {
        const b0 = buf[0] as number;
        let len = (buf[1] as number) & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) break;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) break;
        const opcode = b0 & 0x0f;
        const payload = buf.subarray(off, off + len);
        if (opcode === 0x9) sock.write(maskedFrame(0xa, payload));
        else if (opcode === 0x1) onText(payload);
        else if (opcode === 0x8) sock.end();
        buf = buf.subarray(off + len);
      }
      if (buf && buf.length === 0) buf = undefined;
    });
  });
