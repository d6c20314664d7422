/**
 * The floor for a Node gateway (gateway bench `--floor`): a node:http server
 * that hands every request to undici's keep-alive Pool with the same low-level
 * `dispatch` API the gateway uses, and streams the answer back — no route
 * table, header hygiene, limits, metrics or logs. The gap between this and the
 * gateway is the gateway's own work; the gap between this and NGINX is Node's.
 */
import http from 'node:http';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM;
if (!upstream) throw new Error('UPSTREAM (http://host:port) is required');
const pool = new Pool(upstream, { connections: 128 });

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-length': 2 });
    res.end('ok');
    return;
  }
  pool.dispatch(
    { path: req.url ?? '/', method: req.method ?? 'GET', headers: req.rawHeaders, body: null },
    {
      // undici tells the new handler API from the old one by this method's presence.
      onRequestStart: () => undefined,
      onResponseStart: (_controller, status, headers) => {
        res.writeHead(status, headers);
      },
      onResponseData: (_controller, chunk) => {
        res.write(chunk);
      },
      onResponseEnd: () => {
        res.end();
      },
      onResponseError: () => {
        if (!res.headersSent) res.writeHead(502, { 'content-length': 0 });
        res.end();
      },
    },
  );
});

process.once('SIGTERM', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
