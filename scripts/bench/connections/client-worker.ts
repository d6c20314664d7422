/**
 * Worker mode (`connections.ts --worker`): holds sockets for the parent and
 * answers it on stdout, one JSON line per event. Imports nothing of LockBox,
 * so a worker's own memory stays small.
 */
import type net from 'node:net';
import readline from 'node:readline';
import { openRawSocket } from './raw-socket';

export interface OpenCommand {
  cmd: 'open';
  host: string;
  port: number;
  /** One entry per socket: the path with its token. */
  paths: string[];
  addresses: string[];
  concurrency: number;
  deadlineMs: number;
}

export const runWorker = () => {
  const sockets: net.Socket[] = [];
  let marker: Buffer | undefined;
  let markerSeen = 0;
  const say = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
  const onText = (payload: Buffer) => {
    if (marker && payload.includes(marker)) {
      markerSeen++;
      if (markerSeen % 1000 === 0 || markerSeen === sockets.length)
        say({ event: 'marker', seen: markerSeen, at: Date.now() });
    }
  };
  const open = async (c: OpenCommand) => {
    let next = 0;
    let failed = 0;
    let firstError = '';
    const lane = async () => {
      while (next < c.paths.length && Date.now() < c.deadlineMs) {
        const i = next++;
        try {
          const s = await openRawSocket(
            {
              host: c.host,
              port: c.port,
              path: c.paths[i] as string,
              localAddress: c.addresses[i % c.addresses.length] as string,
            },
            onText,
          );
          s.on('close', () => {
            const at = sockets.indexOf(s);
            if (at !== -1) sockets.splice(at, 1);
          });
          sockets.push(s);
          if (sockets.length % 1000 === 0) say({ event: 'progress', open: sockets.length, failed });
        } catch (err) {
          failed++;
          firstError ||= (err as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: c.concurrency }, lane));
    say({
      event: 'opened',
      open: sockets.length,
      failed,
      firstError,
      rssKb: process.memoryUsage().rss / 1024,
    });
  };
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const c = JSON.parse(line) as
      | OpenCommand
      | { cmd: 'expect'; marker: string }
      | { cmd: 'count' }
      | { cmd: 'close' };
    if (c.cmd === 'open') void open(c);
    else if (c.cmd === 'expect') {
      marker = Buffer.from(c.marker);
      markerSeen = 0;
    } else if (c.cmd === 'count') say({ event: 'count', open: sockets.length, seen: markerSeen });
    else if (c.cmd === 'close') {
      for (const s of sockets) s.destroy();
      say({ event: 'closed' });
      process.exit(0);
    }
  });
};
