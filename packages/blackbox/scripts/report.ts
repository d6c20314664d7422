/**
 * Runs the black-box suite and prints which RELIABILITY.md cases held, as a
 * Markdown table (the README's "cases held" section is this output).
 *
 *   pnpm --filter @lockbox/blackbox report [-- <vitest filters>]
 *
 * Set TEST_DATABASE_URL and REDIS_URL as CI does, or the Postgres- and
 * Redis-only cases are reported as skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASES, caseIdsOf } from '../src/matrix';

interface AssertionResult {
  title: string;
  fullName: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
  duration?: number;
}
interface JsonReport {
  testResults: Array<{ name: string; assertionResults: AssertionResult[] }>;
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'blackbox-report-')), 'report.json');
const run = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--project',
    'blackbox',
    '--reporter=json',
    `--outputFile=${out}`,
    ...process.argv.slice(2),
  ],
  { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (!fs.existsSync(out)) {
  process.stderr.write(`vitest wrote no report (exit ${run.status})\n`);
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(out, 'utf8')) as JsonReport;
const tests = report.testResults.flatMap((file) =>
  file.assertionResults.map((a) => ({ ...a, file: path.relative(repoRoot, file.name) })),
);

const verdictOf = (results: AssertionResult[]) => {
  if (results.length === 0) return 'no test';
  if (results.some((r) => r.status === 'failed')) return 'FAILED';
  if (results.every((r) => r.status === 'passed')) return 'held';
  return results.some((r) => r.status === 'passed') ? 'held (some skipped)' : 'skipped';
};

const lines: string[] = [];
let held = 0;
for (const sectionName of ['Bad input', 'Authorization', 'Faults'] as const) {
  lines.push('', `**${sectionName}**`, '', '| case | what must hold | tests | result |', '|---|---|---|---|');
  for (const c of CASES.filter((x) => x.section === sectionName)) {
    const mine = tests.filter((t) => caseIdsOf(t.title).includes(c.id));
    const verdict = verdictOf(mine);
    if (verdict === 'held') held++;
    const passed = mine.filter((t) => t.status === 'passed').length;
    lines.push(`| ${c.id} | ${c.title.replaceAll('|', '\\|')} | ${passed}/${mine.length} | ${verdict} |`);
  }
}
const failed = tests.filter((t) => t.status === 'failed');
process.stdout.write(
  [
    `${held} of ${CASES.length} cases held; ${tests.filter((t) => t.status === 'passed').length} of ${tests.length} tests passed (${new Date().toISOString().slice(0, 10)}).`,
    ...lines,
    ...(failed.length ? ['', 'Failed:', ...failed.map((t) => `- ${t.file}: ${t.fullName}`)] : []),
    '',
  ].join('\n'),
);
process.exit(failed.length || held < CASES.length ? 1 : 0);
