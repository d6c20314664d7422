/**
 * The archive measurement's two steps, each run in its own plain Node process
 * on the v2 bundle (the parent is archive-read.ts):
 *
 * - `seal`: one account's archive as its devices would have appended it: a
 *   fresh archive key, records of 1 KB text payloads in several conversations,
 *   interleaved in time, sealed by the SDK's `sealArchiveRecord`. The segments
 *   go to a file as the server stores them (cursor, raw tag and blob bytes),
 *   so the reading process starts without the sealing code warm.
 * - `read`: a new device. The file is loaded first (the server's table, not
 *   timed); then a fresh `HistoryArchive(...).readAll()` is timed against an
 *   in-process transport that answers as the auth service's `archive.list`
 *   does: keyset pages of the requested size, base64 fields, serialised to
 *   JSON and parsed back, so the SDK's zod check sees exactly what HTTP
 *   would carry. The readout must hold every record, in order, none refused.
 */
import fs from 'node:fs';
import { generateArchiveKey, HistoryArchive, sealArchiveRecord, type V2Transport } from '@lockbox/client/v2';

export interface ArchiveSealOptions {
  mode: 'archive-seal';
  file: string;
  messages: number;
  conversations: number;
  textBytes: number;
  /** The account (the AAD binds every segment to it); a made-up one for the in-process reads. */
  userId?: string;
}

export interface ArchiveReadOptions {
  mode: 'archive-read';
  file: string;
  /** Read from a real stack instead: GET {url}/auth/archive with this account's token. */
  http?: { url: string; token: string };
}

export interface ArchiveSealResult {
  sealMs: number;
  /** Stored bytes of the whole archive (tags and blobs, before base64). */
  storedBytes: number;
  blobBytes: number;
  processCpuS: number;
}

export interface ArchiveReadRun {
  readMs: number;
  records: number;
  refused: number;
  pages: number;
  /** Bytes of the JSON answers the transport carried. */
  jsonBytes: number;
  /** CPU seconds of this process (start-up and loading the file included). */
  processCpuS: number;
  /** CPU seconds of this process during the timed read only. */
  readCpuS: number;
}

interface StoredArchive {
  key: string;
  userId: string;
  messages: number;
  /** [cursor, tag, blob], base64 in the file only. */
  rows: [number, string, string][];
}

const USER_ID = 'usr_benchreader0000000000000';
const CONTACT_ID = 'usr_benchcontact000000000000';

const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A fixed-width id of the real shape: prefix and 26 characters. */
const id = (prefix: string, n: number) => `${prefix}_${n.toString(36).padStart(26, '0')}`;

export const runArchiveSeal = (o: ArchiveSealOptions): ArchiveSealResult => {
  const key = generateArchiveKey();
  const userId = o.userId ?? USER_ID;
  const text = 'The quick brown fox jumps over the lazy dog. '
    .repeat(Math.ceil(o.textBytes / 45))
    .slice(0, o.textBytes);
  const seqs = new Array<number>(o.conversations).fill(0);
  const rows: StoredArchive['rows'] = [];
  let storedBytes = 0;
  let blobBytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < o.messages; i++) {
    const c = i % o.conversations;
    seqs[c] = (seqs[c] as number) + 1;
    const segment = sealArchiveRecord(key, userId, {
      conversation_id: id('cnv', c + 1),
      message_id: id('msg', i + 1),
      seq: seqs[c] as number,
      sender_id: i % 2 ? userId : CONTACT_ID,
      sent_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      payload: { type: 'text', text },
    });
    rows.push([i + 1, segment.tag, segment.blob]);
    const blob = Buffer.byteLength(segment.blob, 'base64');
    blobBytes += blob;
    storedBytes += blob + 32;
  }
  const sealMs = performance.now() - t0;
  const stored: StoredArchive = {
    key: Buffer.from(key).toString('base64'),
    userId,
    messages: o.messages,
    rows,
  };
  fs.writeFileSync(o.file, JSON.stringify(stored));
  return { sealMs, storedBytes, blobBytes, processCpuS: cpuS() };
};

interface Row {
  cursor: number;
  tag: Uint8Array;
  blob: Uint8Array;
}

/** `archive.list` as the auth service answers it (router/archive.ts), then JSON as HTTP carries it. */
class InProcessArchiveServer {
  readonly #rows: Row[];
  pages = 0;
  jsonBytes = 0;

  constructor(rows: Row[]) {
    this.#rows = rows;
  }

  list(after: string | undefined, limit: number): unknown {
    const from = after === undefined ? 0 : Number(after);
    // Keyset: cursors are increasing, so the first row past `after` is found by binary search, as an index would.
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#rows[mid] as Row).cursor > from) hi = mid;
      else lo = mid + 1;
    }
    const rows = this.#rows.slice(lo, lo + limit + 1);
    const page = rows.slice(0, limit);
    const body = JSON.stringify({
      segments: page.map((r) => ({
        cursor: String(r.cursor),
        tag: Buffer.from(r.tag).toString('base64'),
        blob: Buffer.from(r.blob).toString('base64'),
      })),
      next_cursor: rows.length > limit ? String((page[page.length - 1] as Row).cursor) : null,
    });
    this.pages++;
    this.jsonBytes += body.length;
    return JSON.parse(body);
  }
}

/** `archive.list` over HTTP, as a client's adapter would call it (the SDK parses the answer). */
class HttpArchiveServer {
  readonly #http: { url: string; token: string };
  pages = 0;
  jsonBytes = 0;

  constructor(http: { url: string; token: string }) {
    this.#http = http;
  }

  async list(after: string | undefined, limit: number): Promise<unknown> {
    const query = new URLSearchParams({ limit: String(limit), ...(after === undefined ? {} : { after }) });
    const res = await fetch(`${this.#http.url}/auth/archive?${query}`, {
      headers: { authorization: `Bearer ${this.#http.token}` },
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`archive.list answered ${res.status}`);
    this.pages++;
    this.jsonBytes += body.length;
    return JSON.parse(body);
  }
}

const onlyArchiveList = (server: {
  list(after: string | undefined, limit: number): unknown;
}): V2Transport => {
  const unused = () => Promise.reject(new Error('the archive read calls archive.list only'));
  return {
    registerDevice: unused,
    myDevices: unused,
    deviceList: unused,
    updateDeviceList: unused,
    uploadKeyPackages: unused,
    keyPackageCount: unused,
    claimKeyPackages: unused,
    sendMls: unused,
    mlsEpoch: unused,
    archiveAppend: unused,
    archiveList: async (after, limit) => await server.list(after, limit),
    archiveClear: unused,
    messagesAfter: unused,
  };
};

export const runArchiveRead = async (o: ArchiveReadOptions): Promise<ArchiveReadRun> => {
  const stored = JSON.parse(fs.readFileSync(o.file, 'utf8')) as StoredArchive;
  const server = o.http
    ? new HttpArchiveServer(o.http)
    : new InProcessArchiveServer(
        stored.rows.map(([cursor, tag, blob]) => ({
          cursor,
          tag: new Uint8Array(Buffer.from(tag, 'base64')),
          blob: new Uint8Array(Buffer.from(blob, 'base64')),
        })),
      );
  const key = new Uint8Array(Buffer.from(stored.key, 'base64'));
  const cpu0 = cpuS();
  const t0 = performance.now();
  const readout = await new HistoryArchive(onlyArchiveList(server), key, stored.userId).readAll();
  const readMs = performance.now() - t0;
  const readCpuS = cpuS() - cpu0;
  const ordered = readout.records.every((r, i, all) => {
    const prev = all[i - 1];
    return (
      prev === undefined ||
      prev.conversation_id < r.conversation_id ||
      (prev.conversation_id === r.conversation_id && prev.seq < r.seq)
    );
  });
  if (readout.records.length !== stored.messages || readout.refused !== 0 || !ordered)
    throw new Error(
      `archive read returned ${readout.records.length} of ${stored.messages} records, ${readout.refused} refused, ordered: ${ordered}`,
    );
  return {
    readMs,
    records: readout.records.length,
    refused: readout.refused,
    pages: server.pages,
    jsonBytes: server.jsonBytes,
    processCpuS: cpuS(),
    readCpuS,
  };
};
