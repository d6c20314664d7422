/**
 * The suite covers the whole matrix: every case of RELIABILITY.md has at least
 * one test whose title names it, and no test names a case that does not exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { postgresServerUnavailable } from '@lockbox/testkit';
import { describe, expect, it } from 'vitest';
import { CASES, caseIdsOf } from '../src/matrix';

const testDir = path.dirname(new URL(import.meta.url).pathname);

/** Titles of `it(`/`test(` calls in every test file of the suite (static read: cheap, no stacks started). */
const titlesInSuite = (): string[] =>
  fs
    .readdirSync(testDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .flatMap((f) => {
      const source = fs.readFileSync(path.join(testDir, f), 'utf8');
      return [...source.matchAll(/\b(?:it|test)(?:\.\w+(?:\([^)]*\))?)*\(\s*(['"`])(.*?)\1/g)].map(
        (m) => m[2] as string,
      );
    });

describe('the reliability matrix', () => {
  it('has unique case ids in RELIABILITY.md order', () => {
    const ids = CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('B'))).toHaveLength(14);
    expect(ids.filter((id) => id.startsWith('A'))).toHaveLength(10);
    expect(ids.filter((id) => id.startsWith('F'))).toHaveLength(7);
  });

  it('every case has a test, and every tagged test names a known case', () => {
    const claimed = titlesInSuite().flatMap(caseIdsOf);
    const known = new Set(CASES.map((c) => c.id));
    expect(claimed.filter((id) => !known.has(id))).toEqual([]);
    expect(CASES.map((c) => c.id).filter((id) => !claimed.includes(id))).toEqual([]);
  });

  // CI gives Postgres and Redis; then no fault case may quietly skip for want of its tools.
  it.runIf(process.env.TEST_DATABASE_URL && process.env.REDIS_URL)(
    'with Postgres and Redis given, the private PostgreSQL for F3 can be started too',
    () => {
      expect(postgresServerUnavailable()).toBeUndefined();
    },
  );
});
