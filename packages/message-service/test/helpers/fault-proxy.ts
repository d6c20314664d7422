/**
 * A TCP pass-through on loopback that can refuse or stall, to put a dependency
 * "down" without killing it (RELIABILITY.md Faults). Switching modes drops the
 * connections already open, so pooled keep-alive sockets cannot bypass a fault.
 */
import net from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'stall';

export interface FaultProxy {
  url: string;
  /** Where `pass` forwards to; until set, connections are refused. */
  target(url: string): void;
  mode(mode: FaultMode): void;
  close(): Promise<void>;
}

export const startFaultProxy = async (): Promise<FaultProxy> => {
  let target: URL | undefined;
  let mode: FaultMode = 'pass';
  const open = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'refuse' || !target) {
      client.destroy();
      return;
    }
    if (mode === 'stall') return; // accepted, never answered
    const upstream = net.connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const dropAll = () => {
    for (const s of open) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    target: (url) => {
      target = new URL(url);
    },
    mode: (next) => {
      mode = next;
      dropAll();
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
