/**
 * A small TCP fault proxy on loopback (RELIABILITY.md: no toxiproxy here).
 * Put it between two LockBox parts — gateway↔service, service↔PostgreSQL,
 * service↔Redis — and switch its mode while traffic flows:
 *
 * - `pass`      forwards both ways;
 * - `delay`     forwards, holding each chunk `delayMs` first (a slow link);
 * - `blackhole` accepts and reads, never answers, never closes (a stalled peer);
 *               connections already open stall too (bytes are dropped);
 * - `reset`     answers every connection, and any open one, with a TCP RST;
 * - `refuse`    stops listening on the port (connection refused, a dead host).
 *
 * `reset` and `refuse` drop the connections already open (with a reset), so
 * pooled keep-alive sockets cannot slip past them; leaving `blackhole` resets
 * the stalled ones, whose byte streams now have holes.
 */
import net from 'node:net';

export type FaultMode = 'pass' | 'delay' | 'blackhole' | 'reset' | 'refuse';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`; the port stays the same through every mode. */
  url: string;
  port: number;
  /** Where traffic goes (host:port of a URL); until set, connections are reset. */
  target(url: string): void;
  mode(mode: FaultMode, opts?: { delayMs?: number }): Promise<void>;
  readonly current: FaultMode;
  /** Connections accepted so far (to show a fault was actually on the path). */
  readonly accepted: number;
  /** Connections open right now, counting each side once. */
  readonly open: number;
  close(): Promise<void>;
}

export const startFaultProxy = async (opts: { target?: string } = {}): Promise<FaultProxy> => {
  let target = opts.target ? new URL(opts.target) : undefined;
  let mode: FaultMode = 'pass';
  let delayMs = 0;
  let accepted = 0;
  const clients = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();

  const track = (set: Set<net.Socket>, s: net.Socket) => {
    set.add(s);
    s.on('close', () => set.delete(s));
    s.on('error', () => s.destroy());
  };

  /** Pipes `from` into `to`, holding each chunk for the current delay. */
  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk) => {
      if (mode === 'blackhole') return; // a stalled path: bytes vanish
      if (mode !== 'delay' || delayMs <= 0) {
        if (!to.write(chunk)) from.pause();
        return;
      }
      from.pause();
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
        from.resume();
      }, delayMs);
    });
    to.on('drain', () => from.resume());
    from.on('end', () => to.end());
    from.on('close', () => to.destroy());
  };

  const server = net.createServer((client) => {
    accepted++;
    track(clients, client);
    if (mode === 'reset' || !target) {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole') {
      client.resume(); // read and drop; never answer
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    track(upstreams, upstream);
    forward(client, upstream);
    forward(upstream, client);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as net.AddressInfo;

  const resetAll = () => {
    for (const s of [...clients, ...upstreams]) s.resetAndDestroy();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    target: (url) => {
      target = new URL(url);
    },
    get current() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return clients.size;
    },
    mode: async (next, o = {}) => {
      const was = mode;
      mode = next;
      delayMs = o.delayMs ?? 0;
      if (next === 'reset' || next === 'refuse' || (was === 'blackhole' && next !== 'blackhole')) resetAll();
      if (next === 'refuse' && server.listening)
        await new Promise<void>((resolve) => server.close(() => resolve()));
      if (was === 'refuse' && next !== 'refuse' && !server.listening) await listen(port);
    },
    close: async () => {
      resetAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** `url` with its host and port replaced by the proxy's (user, password, database, query kept). */
export const throughProxy = (url: string, proxy: FaultProxy): string => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
};
