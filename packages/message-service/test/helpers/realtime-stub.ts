/**
 * Stands in for realtime-service's `internal.deliver` and `deliverMany`: records every call (with
 * the credential it came with) and can fail or stall on demand, so tests see
 * exactly what message-service hands over and that a sick realtime never
 * holds a send back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivered {
  recipients: string[];
  event: { type: string; data: Record<string, unknown> };
  credential: string | undefined;
}

export type StubMode = 'ok' | 'fail' | 'stall';

export interface RealtimeStub {
  url: string;
  delivered: Delivered[];
  mode(mode: StubMode): void;
  close(): Promise<void>;
}

export const startRealtimeStub = async (): Promise<RealtimeStub> => {
  const delivered: Delivered[] = [];
  let mode: StubMode = 'ok';
  const stalled = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const many = req.url === '/trpc/internal.deliverMany';
      if (req.method !== 'POST' || (req.url !== '/trpc/internal.deliver' && !many)) {
        res.writeHead(404).end();
        return;
      }
      if (mode === 'stall') {
        stalled.add(res);
        return;
      }
      if (mode === 'fail') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: 'down', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR' } },
          }),
        );
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const deliveries = (many ? body.deliveries : [body]) as Array<Omit<Delivered, 'credential'>>;
      const credential = req.headers['x-lockbox-internal'];
      for (const d of deliveries)
        delivered.push({ ...d, credential: typeof credential === 'string' ? credential : undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: { data: { delivered: deliveries.length } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    delivered,
    mode: (next) => {
      mode = next;
    },
    close: async () => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
