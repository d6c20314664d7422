/**
 * A pass-through TCP proxy on loopback that a test can cut (every connection
 * dropped, new ones refused) and restore: how "Redis down" is injected
 * without touching the real Redis other tests share.
 */
import net from 'node:net';

export interface FaultProxy {
  url: string;
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export const startFaultProxy = async (
  target: { host: string; port: number },
  scheme = 'redis',
): Promise<FaultProxy> => {
  const open = new Set<net.Socket>();
  const makeServer = () =>
    net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      open.add(client);
      open.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  let server = makeServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const stop = () =>
    new Promise<void>((r) => {
      for (const s of open) s.destroy();
      open.clear();
      if (!server.listening) return r();
      server.close(() => r());
    });
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    cut: stop,
    restore: async () => {
      if (server.listening) return;
      server = makeServer();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    },
    close: stop,
  };
};
