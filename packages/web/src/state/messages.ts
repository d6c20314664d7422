/**
 * Turning SDK messages into what the screen shows, and merging the three ways
 * a message reaches a conversation (a history page, the live stream, the
 * answer to our own send) without showing any of them twice.
 */
import type { DecryptedMessage } from '@lockbox/client';
import { describeVerifyError } from '../lib/errors';
import type { ChatMessage } from './types';

/** Why a message was refused, in words; the message-placement refusals first, then crypto's. */
const describeRefusal = (code: string): string => {
  if (code === 'misplaced') return 'The server placed a message from another conversation here';
  if (code === 'replayed')
    return 'The server delivered this message again, under a new id or time (a replay)';
  return describeVerifyError(code);
};

export const toChatMessage = (m: DecryptedMessage): ChatMessage => {
  // The signed time when there is one: the server's created_at is only its word.
  const at = m.sent_at !== undefined && !m.error ? new Date(m.sent_at).toISOString() : m.created_at;
  const base: ChatMessage = { key: m.id, id: m.id, seq: m.seq, outgoing: m.outgoing, at };
  if (m.outgoing) base.delivery = 'sent';
  if (m.error) return { ...base, verifyError: describeRefusal(m.error.code) };
  if (m.server_time_differs) base.serverTimeDiffers = m.created_at;
  if (m.payload?.type === 'text') return { ...base, text: m.payload.text };
  if (m.payload?.type === 'unsupported') return { ...base, unsupported: m.payload.original_type };
  return { ...base, verifyError: describeVerifyError('invalid') };
};

const bySeqThenPending = (a: ChatMessage, b: ChatMessage) => {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.seq === undefined && b.seq === undefined) return 0;
  return a.seq === undefined ? 1 : -1;
};

/**
 * Adds stored messages to a conversation. A message already there (same id)
 * is replaced; our own message coming back from the server before the send's
 * answer takes the place of the oldest pending copy with the same text, so
 * the bubble doesn't jump or double.
 */
export const mergeMessages = (current: ChatMessage[], arriving: ChatMessage[]): ChatMessage[] => {
  if (arriving.length === 0) return current;
  const next = [...current];
  for (const m of arriving) {
    const same = next.findIndex((x) => x.id !== undefined && x.id === m.id);
    if (same >= 0) {
      next[same] = { ...m, key: (next[same] as ChatMessage).key };
      continue;
    }
    if (m.outgoing && m.text !== undefined) {
      const pending = next.findIndex(
        (x) => x.id === undefined && x.delivery === 'sending' && x.text === m.text,
      );
      if (pending >= 0) {
        next[pending] = { ...m, key: (next[pending] as ChatMessage).key };
        continue;
      }
    }
    next.push(m);
  }
  return next.sort(bySeqThenPending);
};

/** The send's answer for a pending message; drops the pending copy if the live copy is already in. */
export const settleSent = (
  current: ChatMessage[],
  key: string,
  answer: { message_id: string; seq: number; created_at: string },
): ChatMessage[] => {
  if (current.some((m) => m.id === answer.message_id && m.key !== key))
    return current.filter((m) => m.key !== key);
  return current
    .map((m) =>
      m.key === key
        ? {
            ...m,
            id: answer.message_id,
            seq: answer.seq,
            at: answer.created_at,
            delivery: 'sent' as const,
          }
        : m,
    )
    .sort(bySeqThenPending);
};

/** The highest seq of a message the contact sent (what a read receipt covers). */
export const newestIncomingSeq = (messages: ChatMessage[]): number => {
  let max = 0;
  for (const m of messages) if (!m.outgoing && m.seq !== undefined && m.seq > max) max = m.seq;
  return max;
};
