/**
 * What the message benches share: contact pairs registered through the
 * gateway, the note each envelope carries (which message, when it was due —
 * so send→deliver latency includes any queueing), and the open-loop pacer
 * (a message is due at its time whether or not earlier sends answered).
 */
import { randomBytes } from 'node:crypto';
import { httpCall, must } from './http-call';

export const nowMs = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface BenchUser {
  id: string;
  token: string;
}

export interface Pair {
  sender: BenchUser;
  recipient: BenchUser;
}

const register = async (gatewayPort: number): Promise<BenchUser> => {
  const username = `b_${randomBytes(6).toString('hex')}`;
  const body = await must(
    httpCall(gatewayPort, 'POST', '/auth/register', { username, password: `pw-${username}-bench` }),
    201,
    'register',
  );
  return { id: body.user.id, token: body.access_token };
};

/** `count` sender/recipient pairs, each two fresh users who are contacts (request sent, accepted). */
export const registerPairs = async (gatewayPort: number, count: number): Promise<Pair[]> => {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, async () => {
        const [sender, recipient] = [await register(gatewayPort), await register(gatewayPort)];
        const req = await must(
          httpCall(gatewayPort, 'POST', '/chat-requests/send', { to_user_id: recipient.id }, sender.token),
          201,
          'chat request',
        );
        await must(
          httpCall(
            gatewayPort,
            'POST',
            '/chat-requests/respond',
            { request_id: req.id, action: 'accept' },
            recipient.token,
          ),
          200,
          'accept',
        );
        return { sender, recipient };
      }),
    );
    pairs.push(...batch);
  }
  return pairs;
};

/** The JSON body of `POST /messages/send` as the delivery and soak benches send it. */
export const messageBody = (recipientId: string, clientMsgId: string, blob: string, signature: string) =>
  `{"recipient_id":"${recipientId}","client_msg_id":"${clientMsgId}","encrypted_blob":"${blob}","signature":"${signature}"}`;

/** The envelope's payload: which step and message, and when it was due; padded to `bytes`. */
export const encodeNote = (step: number, index: number, intendedMs: number, bytes: number) =>
  Buffer.from(`${step}|${index}|${intendedMs.toFixed(3)}|`.padEnd(bytes, '.')).toString('base64');

export const decodeNote = (blob: string) => {
  const [step, index, intended] = Buffer.from(blob, 'base64').toString().split('|');
  return { step: Number(step), index: Number(index), intendedMs: Number(intended) };
};

/**
 * Calls `onDue(index, intendedMs)` for messages 0 … total−1, message i at
 * `t0 + i / rate`, catching up at once when the event loop was late; resolves
 * when the last one is due.
 */
export const paceOpenLoop = (
  rate: number,
  total: number,
  t0: number,
  onDue: (index: number, intendedMs: number) => void,
): Promise<void> =>
  new Promise((resolve) => {
    let issued = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((nowMs() - t0) * rate) / 1000));
      while (issued < due) {
        const index = issued++;
        onDue(index, t0 + (index * 1000) / rate);
      }
      if (issued >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
