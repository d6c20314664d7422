/**
 * Where data/ and logs/ resolve: a service started from its own package folder
 * (turbo, `pnpm --filter … dev`) must land in the checkout's data directory, or
 * it generates its own internal secret and every call between services fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseDir } from '../src/env';

const checkout = path.resolve(import.meta.dirname, '..', '..', '..');

describe('baseDir', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.LOCKBOX_ROOT;
    delete process.env.LOCKBOX_ROOT;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.LOCKBOX_ROOT;
    else process.env.LOCKBOX_ROOT = saved;
  });

  it('is the checkout root from any package folder below it', () => {
    expect(fs.existsSync(path.join(checkout, 'pnpm-workspace.yaml'))).toBe(true);
    expect(baseDir(path.join(checkout, 'packages', 'auth-service'))).toBe(checkout);
    expect(baseDir(path.join(checkout, 'gateway', 'src'))).toBe(checkout);
    expect(baseDir(checkout)).toBe(checkout);
  });

  it('is LOCKBOX_ROOT when set', () => {
    process.env.LOCKBOX_ROOT = '/srv/lockbox';
    expect(baseDir(path.join(checkout, 'packages', 'auth-service'))).toBe('/srv/lockbox');
  });

  it('is the working directory outside any checkout', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-basedir-'));
    try {
      expect(baseDir(elsewhere)).toBe(elsewhere);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
