/**
 * Checks the heavy-first list of scripts/test-sequencer.ts against a real run:
 *
 *   pnpm exec vitest run > run.log 2>&1
 *   node --import tsx scripts/test-schedule.ts run.log
 *
 * It reads each file's duration from the default reporter's lines
 * ("✓ |cli| test/e2e.test.ts (10 tests) 163856ms"): that duration counts the
 * file's beforeAll/afterAll, where stacks start, while the JSON reporter's
 * endTime - startTime spans only from its first test to its last. It replays
 * those durations on two workers in the order a fresh clone gets (the list,
 * then file size) and in the best order they allow (longest first), and lists
 * the heaviest files with their place in the list ("-" where the list does not
 * name them: add those). A replay, not a measurement: it ignores what two
 * files at once cost each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HEAVY_FIRST, heavinessRank } from './test-sequencer';

interface FileRun {
  file: string;
  seconds: number;
  size: number;
  rank: number;
}

const WORKERS = 2;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** When the last of `WORKERS` workers finishes, each taking the next file as soon as it is free. */
const makespan = (order: FileRun[]): number => {
  const busyUntil = Array<number>(WORKERS).fill(0);
  for (const f of order) {
    const next = busyUntil.indexOf(Math.min(...busyUntil));
    busyUntil[next] = (busyUntil[next] ?? 0) + f.seconds;
  }
  return Math.max(...busyUntil);
};

const log = process.argv[2];
if (!log) {
  console.error('usage: node --import tsx scripts/test-schedule.ts <vitest console log>');
  process.exit(2);
}
const projectDir = (project: string) =>
  project === 'contracts' || project === 'gateway' ? project : `packages/${project}`;
const durations = new Map<string, number>();
// biome-ignore lint/suspicious/noControlCharactersInRegex: the log's colour codes are escape sequences
const plain = fs.readFileSync(log, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
for (const line of plain.split('\n')) {
  const m = line.match(/^ [✓❯×↓]\s+\|?([\w-]+)\|?\s+(\S+\.test\.ts) .*?(\d+)ms$/);
  if (m?.[1] && m[2] && m[3]) durations.set(`${projectDir(m[1])}/${m[2]}`, Number(m[3]) / 1000);
}
const runs: FileRun[] = [...durations].map(([file, seconds]) => {
  const onDisk = path.join(root, file);
  return {
    file,
    seconds,
    size: fs.existsSync(onDisk) ? fs.statSync(onDisk).size : 0,
    rank: heavinessRank(file),
  };
});

const total = runs.reduce((sum, f) => sum + f.seconds, 0);
const freshClone = [...runs].sort((a, b) => a.rank - b.rank || b.size - a.size);
const longestFirst = [...runs].sort((a, b) => b.seconds - a.seconds);
const say = (line: string) => process.stdout.write(`${line}\n`);
const s = (n: number) => `${n.toFixed(0)} s`;
say(`${runs.length} files, ${s(total)} in all, ${s(total / WORKERS)} per worker at best`);
say(`longest file: ${longestFirst[0]?.file} (${s(longestFirst[0]?.seconds ?? 0)})`);
say(`replayed, heavy-first order: ${s(makespan(freshClone))}; longest-first: ${s(makespan(longestFirst))}`);
for (const f of longestFirst.slice(0, 30))
  say(
    `${f.seconds.toFixed(1).padStart(8)} s  ${(f.rank < HEAVY_FIRST.length ? String(f.rank) : '-').padStart(2)}  ${f.file}`,
  );
