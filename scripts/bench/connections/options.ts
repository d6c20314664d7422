/** The connections bench's command line (also `--worker`, how the bench starts its client processes). */
import { parseArgs } from 'node:util';
import { benchArgs } from '../lib/options';

export interface ConnectionsOptions {
  worker: boolean;
  help: boolean;
  wanted: number;
  perUser: number;
  /** Client source addresses 127.0.0.2 … (one address has only ~28k ports). */
  addresses: string[];
  concurrency: number;
  timeLimitMs: number;
  noDirect: boolean;
  keep: boolean;
  /** Gateway worker processes (GATEWAY_WORKERS); undefined: as many as the target needs. */
  gatewayWorkers: number | undefined;
  /** Realtime instances behind the gateway; undefined: as many as the target needs. */
  realtimeInstances: number | undefined;
  /** Redis for realtime's fan-out between instances (needed by more than one). */
  redisUrl: string;
}

export const USAGE = `Connections bench: authenticated sockets through the gateway, RSS per socket.

  npm run bench:connections -- [options]

  --sockets N        sockets to aim for (default 50000; capped by each process's open-file limit)
  --per-user N       sockets per user (default 30; realtime allows 32 per user)
  --addresses N      client source addresses 127.0.0.2 … (default 8)
  --concurrency N    handshakes in flight per worker (default 200)
  --time-limit S     stop opening after S seconds per phase (default 600)
  --gateway-workers N  gateway worker processes, GATEWAY_WORKERS (default: enough descriptors for --sockets)
  --realtime N       realtime instances behind the gateway (default: enough descriptors for --sockets)
  --redis URL        realtime fan-out between instances (default $REDIS_URL, else redis://127.0.0.1:6379)
  --no-direct        skip phase 2 (sockets straight to a fresh realtime instance)
  --keep             keep the temp dir with logs
`;

export const parseConnectionsOptions = (): ConnectionsOptions => {
  const { values: args } = parseArgs({
    args: benchArgs(),
    options: {
      worker: { type: 'boolean', default: false },
      sockets: { type: 'string', default: '50000' },
      'per-user': { type: 'string', default: '30' },
      addresses: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '200' },
      'time-limit': { type: 'string', default: '600' },
      'no-direct': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'gateway-workers': { type: 'string' },
      realtime: { type: 'string' },
      redis: { type: 'string', default: process.env.REDIS_URL || 'redis://127.0.0.1:6379' },
      help: { type: 'boolean', default: false },
    },
  });
  return {
    worker: args.worker === true,
    help: args.help === true,
    wanted: Number(args.sockets),
    perUser: Number(args['per-user']),
    addresses: Array.from({ length: Number(args.addresses) }, (_, i) => `127.0.0.${i + 2}`),
    concurrency: Number(args.concurrency),
    timeLimitMs: Number(args['time-limit']) * 1000,
    noDirect: args['no-direct'] === true,
    keep: args.keep === true,
    gatewayWorkers: args['gateway-workers'] === undefined ? undefined : Number(args['gateway-workers']),
    realtimeInstances: args.realtime === undefined ? undefined : Number(args.realtime),
    redisUrl: args.redis as string,
  };
};
