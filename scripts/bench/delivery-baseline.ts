/**
 * The delivery bench's baseline (BENCH.md): the least a messenger can do for
 * one message — HTTP in, one INSERT, one `ws` push — in one file, on the same
 * database as LockBox (Postgres: the same server and database, its own schema;
 * or its own PGlite). No auth, no contacts, no idempotency, no fan-out, no
 * resume: what LockBox adds on top is exactly what the ratio prices.
 *
 *   PORT=… [DATABASE_URL=…] LOCKBOX_DATA_DIR=… node --import tsx scripts/bench/delivery-baseline.ts
 *
 *   POST /send?from=<id>  {"to": "<id>", "blob": "<base64>"}  → 201 {"id", "created_at"}
 *   GET  /ws?user=<id>    WebSocket; each message arrives as {"type":"new_message","data":{…}}
 */

import http from 'node:http';
import path from 'node:path';
import { createLogger, openDatabase } from '@lockbox/service-kit';
import { type WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 8090);
const dataDir = path.resolve(process.env.LOCKBOX_DATA_DIR ?? 'data');
const log = createLogger({
  service: 'delivery-baseline',
  logDir: path.resolve(process.env.LOCKBOX_LOG_DIR ?? 'logs'),
  level: 'warn',
  stdout: false,
});
const db = await openDatabase({
  service: 'delivery-baseline',
  dataDir,
  url: process.env.DATABASE_URL,
  poolMax: 10,
  log,
});
await db.exec(`
  CREATE SCHEMA IF NOT EXISTS bench_baseline;
  CREATE TABLE IF NOT EXISTS bench_baseline.messages (
    id bigserial PRIMARY KEY,
    sender_id text NOT NULL,
    recipient_id text NOT NULL,
    blob text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
`);

const sockets = new Map<string, Set<WebSocket>>();

const answer = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'GET' && url.pathname === '/health') return answer(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || url.pathname !== '/send') return answer(res, 404, { error: 'not found' });
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const { to, blob } = JSON.parse(Buffer.concat(chunks).toString()) as { to: string; blob: string };
    const from = url.searchParams.get('from') ?? '';
    const [row] = await db.query<{ id: number; created_at: Date }>(
      'INSERT INTO bench_baseline.messages (sender_id, recipient_id, blob) VALUES ($1, $2, $3) RETURNING id, created_at',
      [from, to, blob],
    );
    const message = {
      id: String(row?.id),
      sender_id: from,
      recipient_id: to,
      encrypted_blob: blob,
      created_at: row?.created_at,
    };
    const frame = JSON.stringify({ type: 'new_message', data: message });
    for (const ws of sockets.get(to) ?? []) ws.send(frame);
    answer(res, 201, { id: message.id, created_at: message.created_at });
  } catch (err) {
    answer(res, 500, { error: (err as Error).message });
  }
});

const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
  let mine = sockets.get(user);
  if (!mine) {
    mine = new Set();
    sockets.set(user, mine);
  }
  mine.add(ws);
  ws.on('close', () => mine.delete(ws));
  ws.on('error', () => undefined);
});

server.listen(port, '127.0.0.1');
const stop = () => {
  server.close();
  void db.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
