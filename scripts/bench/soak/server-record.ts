/**
 * The server's record: every recipient's stream read back (GET /messages,
 * paged) and held against what the clients saw committed and delivered.
 */
import { client, readStream } from '@lockbox/testkit';
import type { Pair } from '../lib/message-load';
import type { SoakRecord } from './record';

export interface ServerRecord {
  stored: number;
  storedTwice: number;
  committedNotStored: number;
  storedNotCommitted: number;
  storedNotDelivered: number;
  deliveredNotStored: number;
  cursorMismatch: number;
  unorderedPages: number;
  foreign: number;
}

export const checkServerRecord = async (
  gatewayUrl: string,
  pairs: Pair[],
  rec: SoakRecord,
): Promise<ServerRecord> => {
  const total = rec.total;
  const api = client(gatewayUrl);
  const indexById = new Map(rec.ids.map((id, i) => [id, i]));
  const server: ServerRecord = {
    stored: 0,
    storedTwice: 0,
    committedNotStored: 0,
    storedNotCommitted: 0,
    storedNotDelivered: 0,
    deliveredNotStored: 0,
    cursorMismatch: 0,
    unorderedPages: 0,
    foreign: 0,
  };
  const storedIndexes = new Set<number>();
  for (const [r, pair] of pairs.entries()) {
    const messages = await readStream(api, pair.recipient);
    let last = 0;
    for (const m of messages) {
      const cursor = Number(m.cursor);
      if (cursor <= last) server.unorderedPages++;
      last = cursor;
      const index = indexById.get(String(m.client_msg_id));
      if (index === undefined || index % pairs.length !== r) {
        server.foreign++;
        continue;
      }
      server.stored++;
      if (storedIndexes.has(index)) server.storedTwice++;
      storedIndexes.add(index);
      if (!rec.committedAt[index]) server.storedNotCommitted++;
      if (!rec.deliveredAt[index]) server.storedNotDelivered++;
      else if (rec.deliveredCursor[index] !== cursor) server.cursorMismatch++;
    }
  }
  for (let i = 0; i < total; i++) {
    if (rec.committedAt[i] && !storedIndexes.has(i)) server.committedNotStored++;
    if (rec.deliveredAt[i] && !storedIndexes.has(i)) server.deliveredNotStored++;
  }
  return server;
};

/** Nothing stored twice, missing, unasked for or out of order. */
export const serverRecordOk = (server: ServerRecord) =>
  server.storedTwice === 0 &&
  server.committedNotStored === 0 &&
  server.deliveredNotStored === 0 &&
  server.storedNotDelivered === 0 &&
  server.cursorMismatch === 0 &&
  server.unorderedPages === 0 &&
  server.foreign === 0;
