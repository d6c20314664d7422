/** The soak's command line: flags, `--help`, checked ranges, and the Postgres and Redis it needs. */
import { parseArgs } from 'node:util';
import { benchArgs } from '../lib/options';

export interface SoakOptions {
  pairs: number;
  rate: number;
  durationS: number;
  downS: number;
  drainS: number;
  maxAttempts: number;
  blobBytes: number;
  adminDbUrl: string;
  redisUrl: string;
  keep: boolean;
}

const USAGE = `No-loss soak: steady sends through the gateway, a realtime instance and the message
service killed and restarted mid-run; every committed message must arrive once, in order.

  npm run bench:soak -- [options]

  --pairs N            sender/recipient pairs (default 20)
  --rate N             messages per second, all senders together (default 100)
  --duration S         seconds of sends (default 60; realtime-1 killed at 1/3, messages at 2/3)
  --down S             seconds a killed process stays down before its restart (default 3)
  --drain S            after the sends, give up waiting for deliveries after S quiet seconds (default 20)
  --max-attempts N     attempts per send before the client gives up (default 30; backoff 0.1 s doubling to 2 s)
  --blob-bytes N       envelope size (default 256)
  --database-url URL   admin URL of the Postgres server (default TEST_DATABASE_URL); a fresh database is made and dropped
  --redis-url URL      Redis for the realtime fan-out (default REDIS_URL)
  --keep               keep the stack's temp dir (logs) after a clean run
`;

export const parseSoakOptions = (): SoakOptions => {
  const { values: args } = parseArgs({
    args: benchArgs(),
    options: {
      pairs: { type: 'string', default: '20' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '60' },
      down: { type: 'string', default: '3' },
      drain: { type: 'string', default: '20' },
      'max-attempts': { type: 'string', default: '30' },
      'blob-bytes': { type: 'string', default: '256' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const num = (name: string, min: number, max = Number.POSITIVE_INFINITY) => {
    const n = Number((args as Record<string, unknown>)[name]);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number in ${min}…${max}`);
    return n;
  };
  const pairs = num('pairs', 1);
  const rate = num('rate', 1);
  // Access tokens live 15 minutes and the soak never refreshes them.
  const durationS = num('duration', 6, 600);
  const downS = num('down', 0, 60);
  const drainS = num('drain', 1, 120);
  const maxAttempts = num('max-attempts', 1);
  const blobBytes = num('blob-bytes', 64);
  const adminDbUrl = args['database-url'] ?? process.env.TEST_DATABASE_URL;
  const redisUrl = args['redis-url'] ?? process.env.REDIS_URL;
  if (!adminDbUrl) throw new Error('the soak runs on Postgres: set TEST_DATABASE_URL or pass --database-url');
  if (!redisUrl)
    throw new Error('two realtime instances fan out through Redis: set REDIS_URL or pass --redis-url');
  return {
    pairs,
    rate,
    durationS,
    downS,
    drainS,
    maxAttempts,
    blobBytes,
    adminDbUrl,
    redisUrl,
    keep: args.keep === true,
  };
};
