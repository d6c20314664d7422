/**
 * Reading a page of stream items that mixes v1 envelopes and MLS items (a conversation page, the
 * stream after a cursor): v1 items are decrypted as always; an MLS application message is shown
 * from this device's local v2 history (its keys are gone once read, so the server's copy cannot
 * be opened again), pulling the stream through the engine once if some are not there yet.
 * Commits and Welcomes are group bookkeeping, never messages. An MLS item this device cannot read
 * (sent before it joined, with the archive off) is left out: the ciphertext says nothing.
 */
import type { TMessage } from '@lockbox/contracts';
import type { DecryptedMessage, Me } from './messages';
import type { HistoryRecord } from './v2-history';
import type { V2Runtime } from './v2-runtime';

/** A v2 message in the same shape as a v1 one (server metadata from the item, content from the record). */
export const v2Message = (
  me: string,
  item: Pick<
    TMessage,
    | 'id'
    | 'conversation_id'
    | 'seq'
    | 'cursor'
    | 'sender_id'
    | 'recipient_id'
    | 'client_msg_id'
    | 'created_at'
  >,
  record: HistoryRecord,
): DecryptedMessage => {
  // The sender MLS authenticated (the record), not the server's sender_id.
  const outgoing = record.sender_id === me;
  const other = item.sender_id === me ? item.recipient_id : item.sender_id;
  const sentAt = Date.parse(record.sent_at);
  return {
    id: item.id,
    conversation_id: item.conversation_id,
    seq: item.seq,
    cursor: item.cursor,
    sender_id: record.sender_id,
    recipient_id: outgoing ? other : me,
    client_msg_id: item.client_msg_id,
    created_at: item.created_at,
    outgoing,
    counterpart_id: outgoing ? other : record.sender_id,
    ...(Number.isFinite(sentAt) ? { sent_at: sentAt } : {}),
    payload: record.payload,
    version: 2,
    ...(record.sender_device_id !== undefined ? { sender_device_id: record.sender_device_id } : {}),
  };
};

export const readMixedPage = async (
  v2: V2Runtime,
  me: Me,
  items: readonly TMessage[],
  decryptV1: (m: TMessage) => Promise<DecryptedMessage>,
  checkV1: (ms: DecryptedMessage[]) => Promise<DecryptedMessage[]>,
): Promise<DecryptedMessage[]> => {
  const opened: DecryptedMessage[] = [];
  // One at a time, as before v2: opening may pin a key on first use.
  for (const m of items) if (m.mls === undefined) opened.push(await decryptV1(m));
  const v1 = await checkV1(opened);
  const apps = items.filter((m) => m.mls?.kind === 'application');
  let records = new Map<string, HistoryRecord>();
  const r = apps.length > 0 ? await v2.running(me.userId) : undefined;
  if (r !== undefined) {
    records = await r.history.lookup(apps);
    if (records.size < apps.length) {
      await v2.pull(r);
      records = await r.history.lookup(apps);
    }
  }
  // By position, not by id: a hostile server can serve several items under one id (a genuine one
  // and relabelled copies), and each must keep its own verdict. checkV1 answers one per input, in order.
  let nextV1 = 0;
  const out: DecryptedMessage[] = [];
  for (const m of items) {
    if (m.mls === undefined) {
      const opened = v1[nextV1++];
      if (opened !== undefined) out.push(opened);
      continue;
    }
    const record = records.get(m.id);
    if (record !== undefined) out.push(v2Message(me.userId, m, record));
  }
  return out;
};
