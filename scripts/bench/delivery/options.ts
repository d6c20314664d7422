/** The delivery bench's command line: flags, `--help`, and the settings they make. */
import { parseArgs } from 'node:util';
import { benchArgs } from '../lib/options';

export interface DeliveryOptions {
  pairs: number;
  /** Offered msgs/s, a rising ladder. */
  rates: number[];
  durationS: number;
  drainS: number;
  blobBytes: number;
  maxInFlight: number;
  adminDbUrl: string | undefined;
  engine: 'postgres' | 'pglite';
  keep: boolean;
  profile: boolean;
}

const USAGE = `Delivery bench: LockBox (through the gateway) vs a one-file baseline, open-loop sends.

  npm run bench:delivery -- [options]

  --pairs N            sender/recipient pairs (default 50)
  --rates a,b,c        offered msgs/s, a rising ladder (default 500,1000,2000,3000)
  --duration S         seconds of sends per step (default 10)
  --drain S            give up waiting for deliveries after S quiet seconds (default 10)
  --engine E           postgres (default when TEST_DATABASE_URL or --database-url is set) or pglite
  --database-url URL   admin URL of the Postgres server; a fresh database is made and dropped
  --blob-bytes N       envelope size (default 256)
  --max-in-flight N    unanswered sends before the generator skips (default 4000)
  --keep               keep the temp dir with logs
  --profile            run LockBox's Node processes under --cpu-prof and add their hot spots (samples
                       taken during LockBox's steps only, µs per committed message) to the report
`;

export const parseDeliveryOptions = (): DeliveryOptions => {
  const { values: args } = parseArgs({
    args: benchArgs(),
    options: {
      pairs: { type: 'string', default: '50' },
      rates: { type: 'string', default: '500,1000,2000,3000' },
      duration: { type: 'string', default: '10' },
      drain: { type: 'string', default: '10' },
      engine: { type: 'string' },
      'database-url': { type: 'string' },
      'blob-bytes': { type: 'string', default: '256' },
      'max-in-flight': { type: 'string', default: '4000' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const adminDbUrl = args['database-url'] ?? process.env.TEST_DATABASE_URL;
  const engine = (args.engine ?? (adminDbUrl ? 'postgres' : 'pglite')) as 'postgres' | 'pglite';
  if (engine === 'postgres' && !adminDbUrl)
    throw new Error('--engine postgres needs --database-url or TEST_DATABASE_URL');
  return {
    pairs: Number(args.pairs),
    rates: String(args.rates)
      .split(',')
      .map(Number)
      .filter((r) => r > 0)
      .sort((a, b) => a - b),
    durationS: Number(args.duration),
    drainS: Number(args.drain),
    blobBytes: Number(args['blob-bytes']),
    maxInFlight: Number(args['max-in-flight']),
    adminDbUrl,
    engine,
    keep: args.keep === true,
    profile: args.profile === true,
  };
};
