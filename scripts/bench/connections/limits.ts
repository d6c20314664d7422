/** What bounds the bench: the open-file limit per process and the machine's free memory. */
import fs from 'node:fs';

const openFilesLine = () =>
  fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))
    ?.trim()
    .split(/\s+/);

/** The soft open-file limit; children inherit it (connections.ts raises it to the hard one first). */
export const fdLimit = (): number => Number(openFilesLine()?.[3] ?? 1024);

/** The hard open-file limit: the most an unprivileged process may raise its soft one to. */
export const hardFdLimit = (): number => {
  const hard = openFilesLine()?.[4];
  return hard === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(hard ?? 1024);
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
