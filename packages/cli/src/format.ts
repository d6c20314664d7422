/** Human renderings of messages, requests and contacts. */
import type { DecryptedMessage } from '@lockbox/client';

const time = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16);
};

export const messageLine = (m: DecryptedMessage, names: (id: string) => string): string => {
  const head = `${time(m.created_at)}  ${names(m.sender_id)} → ${names(m.recipient_id)}`;
  if (m.error) return `${head}  [refused: ${m.error.code}] ${m.error.message}`;
  const p = m.payload;
  if (p?.type === 'text') return `${head}  ${p.text}`;
  return `${head}  [${p?.type === 'unsupported' ? `unsupported message type "${p.original_type}"` : 'empty'}]`;
};

export const messageJson = (m: DecryptedMessage, names: (id: string) => string) => ({
  id: m.id,
  seq: m.seq,
  cursor: m.cursor,
  created_at: m.created_at,
  sent_at: m.sent_at ?? null,
  from: names(m.sender_id),
  from_id: m.sender_id,
  to: names(m.recipient_id),
  to_id: m.recipient_id,
  outgoing: m.outgoing,
  ...(m.payload ? { payload: m.payload } : {}),
  ...(m.payload?.type === 'text' ? { text: m.payload.text } : {}),
  ...(m.error ? { error: m.error } : {}),
});
