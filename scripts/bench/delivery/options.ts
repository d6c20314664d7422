/** The delivery bench's command line: flags, `--help`, and the settings they make. */
import { parseArgs } from 'node:util';
import { benchArgs } from '../lib/options';
import type { SearchPlan } from './rate-search';

/**
 * Envelope sizes before base64, as bench:crypto measures them: v1's sealed 1 KB text message; a 1 KB
 * MLS application message in a conversation whose id (cnv_ + 26 characters) is its group id (SECURITY.md 10.10).
 */
export const ENVELOPE_BYTES = { v1: 3_614, v2: 1_184 } as const;

export interface DeliveryOptions {
  pairs: number;
  /** How each target's sustained rate is searched (rate-search.ts). */
  search: SearchPlan;
  durationS: number;
  drainS: number;
  /** Seconds of sends at half the start rate per target before anything is measured. */
  warmupS: number;
  /** Seconds of sends at a step's rate right before it, not measured. */
  stepWarmupS: number;
  /** Stop starting steps after this many minutes (the searches report what they decided). */
  budgetMin: number;
  blobBytes: number;
  /** Which envelope size `blobBytes` stands for ('custom' for --blob-bytes). */
  envelope: 'v1' | 'v2' | 'custom';
  maxInFlight: number;
  adminDbUrl: string | undefined;
  engine: 'postgres' | 'pglite';
  keep: boolean;
  profile: boolean;
}

const USAGE = `Delivery bench: LockBox (through the gateway) vs a one-file baseline, open-loop sends.
Each target's sustained rate is found by bisection; the deciding steps are repeated.

  npm run bench:delivery -- [options]

  --pairs N            sender/recipient pairs (default 50)
  --start R            first rate tried, msgs/s (default 1000); doubles while sustained, halves while not
  --max-rate R         never offer more than this (default 4000)
  --resolution R       bisection stops at this width; every rate is a multiple of it (default 250)
  --repeats N          trials of each deciding rate, the verdict is their majority (default 3)
  --max-steps N        measured steps per target at most (default 14)
  --duration S         seconds of sends per step (default 10)
  --warmup S           seconds of sends per target at half the start rate before measuring (default 5)
  --step-warmup S      seconds of sends at a step's rate right before it, not measured (default 1)
  --budget-min M       start no step after M minutes (default 30)
  --drain S            give up waiting for deliveries after S quiet seconds (default 10)
  --engine E           postgres (default when TEST_DATABASE_URL or --database-url is set) or pglite
  --database-url URL   admin URL of the Postgres server; a fresh database is made and dropped
  --envelope v1|v2     envelope size: v1 ${ENVELOPE_BYTES.v1} bytes (a sealed 1 KB text), v2 ${ENVELOPE_BYTES.v2} (a 1 KB MLS
                       application message); base64 in encrypted_blob either way
  --blob-bytes N       any other envelope size (default 256, the size of earlier reports)
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
      start: { type: 'string', default: '1000' },
      'max-rate': { type: 'string', default: '4000' },
      resolution: { type: 'string', default: '250' },
      repeats: { type: 'string', default: '3' },
      'max-steps': { type: 'string', default: '14' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '5' },
      'step-warmup': { type: 'string', default: '1' },
      'budget-min': { type: 'string', default: '30' },
      drain: { type: 'string', default: '10' },
      engine: { type: 'string' },
      'database-url': { type: 'string' },
      envelope: { type: 'string' },
      'blob-bytes': { type: 'string' },
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
  if (args.envelope !== undefined && args.envelope !== 'v1' && args.envelope !== 'v2')
    throw new Error('--envelope is v1 or v2');
  if (args.envelope && args['blob-bytes']) throw new Error('give --envelope or --blob-bytes, not both');
  const envelope = (args.envelope ?? 'custom') as DeliveryOptions['envelope'];
  return {
    pairs: Number(args.pairs),
    search: {
      start: Number(args.start),
      maxRate: Number(args['max-rate']),
      resolution: Number(args.resolution),
      repeats: Number(args.repeats),
      maxSteps: Number(args['max-steps']),
    },
    durationS: Number(args.duration),
    warmupS: Number(args.warmup),
    stepWarmupS: Number(args['step-warmup']),
    budgetMin: Number(args['budget-min']),
    drainS: Number(args.drain),
    blobBytes: envelope === 'custom' ? Number(args['blob-bytes'] ?? 256) : ENVELOPE_BYTES[envelope],
    envelope,
    maxInFlight: Number(args['max-in-flight']),
    adminDbUrl,
    engine,
    keep: args.keep === true,
    profile: args.profile === true,
  };
};
