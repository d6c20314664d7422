import fs from 'node:fs';
import net from 'node:net';

/**
 * The kernel's ephemeral range (outgoing connections take their local port
 * from it). A port picked there can be taken by any outgoing connection — a
 * pool to Postgres, a keep-alive socket — between the pick and the child's
 * listen, and the child then dies with EADDRINUSE. So listeners get ports
 * below it.
 */
const ephemeralLow = (): number => {
  try {
    const low = Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 2_048 ? low : 32_768;
  } catch {
    return 32_768;
  }
};

const FIRST_PORT = 10_000;

const tryListen = (port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const { port: bound } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(bound));
    });
  });

/**
 * A port that is free right now on 127.0.0.1, outside the ephemeral range:
 * random, so parallel test files rarely try the same one, and checked by
 * binding it. Falls back to one the OS picks.
 */
export const freePort = async (): Promise<number> => {
  const high = Math.max(FIRST_PORT + 1_000, ephemeralLow());
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = FIRST_PORT + Math.floor(Math.random() * (high - FIRST_PORT));
    const port = await tryListen(candidate);
    if (port !== undefined) return port;
  }
  return (await tryListen(0)) as number;
};
