/** Human renderings of messages, requests and contacts. */
import type { DecryptedMessage } from '@lockbox/client';

const time = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16);
};

/**
 * The time a message line shows: the sender's signed clock (`sent_at`), not the
 * server's `created_at`, which the server can set to anything. When the two
 * are far apart the line says so; a refused message has no signed time.
 */
const shownTime = (m: DecryptedMessage): string =>
  m.sent_at !== undefined ? time(new Date(m.sent_at).toISOString()) : time(m.created_at);

export const messageLine = (m: DecryptedMessage, names: (id: string) => string): string => {
  const skew = m.server_time_differs ? `  [server time differs: ${time(m.created_at)}]` : '';
  const head = `${shownTime(m)}  ${names(m.sender_id)} → ${names(m.recipient_id)}${skew}`;
  if (m.error) return `${head}  [refused: ${m.error.code}] ${m.error.message}`;
  const p = m.payload;
  if (p?.type === 'text') return `${head}  ${p.text}`;
  return `${head}  [${p?.type === 'unsupported' ? `unsupported message type "${p.original_type}"` : 'empty'}]`;
};

export const messageJson = (m: DecryptedMessage, names: (id: string) => string) => ({
  id: m.id,
  version: m.version,
  ...(m.sender_device_id ? { sender_device_id: m.sender_device_id } : {}),
  seq: m.seq,
  cursor: m.cursor,
  created_at: m.created_at,
  sent_at: m.sent_at ?? null,
  server_time_differs: m.server_time_differs ?? false,
  from: names(m.sender_id),
  from_id: m.sender_id,
  to: names(m.recipient_id),
  to_id: m.recipient_id,
  counterpart_id: m.counterpart_id,
  outgoing: m.outgoing,
  ...(m.payload ? { payload: m.payload } : {}),
  ...(m.payload?.type === 'text' ? { text: m.payload.text } : {}),
  ...(m.error ? { error: m.error } : {}),
});
