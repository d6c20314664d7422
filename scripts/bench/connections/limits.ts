/** What bounds the bench: the open-file limit per process and the machine's free memory. */
import fs from 'node:fs';

/** The soft open-file limit; children inherit it, and in this container it cannot be raised. */
export const fdLimit = (): number => {
  const line = fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return Number(line?.trim().split(/\s+/)[3] ?? 1024);
};

export const availableMemMb = () =>
  Number(/MemAvailable:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;

/** Descriptors kept free for everything that is not a client socket. */
const SPARE_FDS = 300;

export interface SocketCaps {
  limit: number;
  /** The gateway holds two descriptors per proxied socket (client and upstream). */
  viaGatewayMax: number;
  perProcessMax: number;
}

export const socketCaps = (): SocketCaps => {
  const limit = fdLimit();
  return {
    limit,
    viaGatewayMax: Math.floor((limit - SPARE_FDS) / 2),
    perProcessMax: limit - SPARE_FDS,
  };
};
