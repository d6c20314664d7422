/** Command-line options every bench shares (wrk's load shape and the number of rounds). */
import { parseArgs } from 'node:util';

export interface LoadOptions {
  connections: number;
  threads: number;
  durationS: number;
  warmupS: number;
  rounds: number;
  /** Keep the temp directory (logs, data, generated configs) after the run. */
  keep: boolean;
  /** Extra flags a bench declares for itself. */
  flags: Record<string, boolean>;
}

export const USAGE_COMMON = `  --connections N   wrk connections (default 50)
  --threads N       wrk threads (default 2)
  --duration S      seconds per measured run (default 10)
  --warmup S        seconds of warm-up per target before the rounds (default 5)
  --rounds N        rounds over all targets (default 3)
  --keep            keep the temp dir with logs and generated configs`;

/**
 * The bench's own arguments. `pnpm run bench:x -- --flag` hands the `--` on to the script (npm
 * strips it); parseArgs would read everything after it as positionals, so a leading `--` is dropped.
 */
export const benchArgs = (): string[] => {
  const args = process.argv.slice(2);
  return args[0] === '--' ? args.slice(1) : args;
};

export const parseLoadOptions = (usage: string, extraFlags: string[] = []): LoadOptions => {
  const { values } = parseArgs({
    args: benchArgs(),
    options: {
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '2' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(extraFlags.map((f) => [f, { type: 'boolean' as const, default: false }])),
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n${USAGE_COMMON}\n`);
    process.exit(0);
  }
  const num = (name: string, v: unknown, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  return {
    connections: num('connections', values.connections, 1),
    threads: num('threads', values.threads, 1),
    durationS: num('duration', values.duration, 1),
    warmupS: num('warmup', values.warmup, 0),
    rounds: num('rounds', values.rounds, 1),
    keep: values.keep === true,
    flags: Object.fromEntries(extraFlags.map((f) => [f, (values as Record<string, unknown>)[f] === true])),
  };
};
