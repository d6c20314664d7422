/**
 * The soak's clients, behaving like real ones: a send that fails in a way
 * worth retrying is sent again with the same client_msg_id, with backoff,
 * until it commits; a recipient's socket that closes reconnects with backoff
 * and resumes after the last cursor it got.
 */
import { httpCall } from '../lib/http-call';
import { decodeNote, nowMs, type Pair, sleep } from '../lib/message-load';
import { CursorStream, openRecipientSocket, type RecipientSocket } from '../lib/recipient-socket';
import type { SoakRecord } from './record';

/** What a client does with an answer: done, try again later, or give up. */
export const RETRYABLE = new Set([0, 429, 502, 503, 504]);
const backoffMs = (attempt: number) => Math.min(2_000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

export const statusName = (s: number) => (s === 0 ? 'network error / timeout' : String(s));

/** One message, sent like a client: retried with the same client_msg_id until it commits. */
export const sendUntilCommitted = async (
  rec: SoakRecord,
  maxAttempts: number,
  index: number,
  port: number,
  body: string,
  token: string,
): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    const startedWallMs = Date.now();
    const answer = await httpCall(port, 'POST', '/messages/send', body, token, 10_000);
    const { status } = answer;
    const at = nowMs();
    rec.answers.push({ at, status });
    if (status === 201) {
      rec.committedAt[index] = at;
      // Stored before this attempt was even sent (same clock): an earlier attempt committed it.
      if (attempt > 1 && Date.parse(JSON.parse(answer.body).created_at) < startedWallMs) rec.replayed++;
      return;
    }
    if (!RETRYABLE.has(status) || attempt >= maxAttempts) {
      rec.gaveUp.set(index, status);
      return;
    }
    await sleep(backoffMs(attempt));
  }
};

/** Every recipient's socket through the gateway, recording each delivery (and anything amiss) in `rec`. */
export const openRecipients = async (
  rec: SoakRecord,
  pairs: Pair[],
  gatewayPort: number,
): Promise<{ streams: CursorStream[]; sockets: RecipientSocket[] }> => {
  const streams = pairs.map(() => new CursorStream());
  const sockets = await Promise.all(
    pairs.map((p, r) =>
      openRecipientSocket({
        url: (after) => `ws://127.0.0.1:${gatewayPort}/ws?after=${after}`,
        protocols: ['lockbox.v1', `bearer.${p.recipient.token}`],
        stream: streams[r] as CursorStream,
        reconnect: { firstMs: 100, maxMs: 2_000 },
        onClose: (code) => rec.socketEvents.push({ at: nowMs(), kind: 'dropped', code }),
        onOpen: (reconnected) => {
          if (reconnected) rec.socketEvents.push({ at: nowMs(), kind: 'reopened' });
        },
        onMessage: (data, cursor) => {
          if (!cursor || cursor.duplicate || !data.encrypted_blob) return;
          const { index, intendedMs } = decodeNote(data.encrypted_blob);
          if (index % pairs.length !== r || rec.ids[index] !== data.client_msg_id) {
            rec.misrouted++;
            return;
          }
          if (rec.deliveredAt[index]) {
            rec.deliveredTwice++;
            return;
          }
          const now = nowMs();
          rec.deliveredAt[index] = now;
          rec.deliveredCursor[index] = Number(data.cursor);
          rec.intended[index] = intendedMs;
          rec.lastDeliveryAt = now;
        },
      }),
    ),
  );
  return { streams, sockets };
};
