/**
 * A fresh data directory starts from the PGlite template (made once per PGlite
 * version under node_modules/.cache), and what it gives is a real, durable
 * cluster: tables made after the start survive a close and a reopen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite';
import { pgliteTemplate } from '../src/db/pglite-template';

const templates = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'node_modules',
  '.cache',
  'lockbox-pglite',
);

describe('PGlite template', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-pglite-template-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('is made once and kept in the checkout cache, named after the PGlite version', async () => {
    const dir = await pgliteTemplate();
    expect(dir && fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    const made = fs.readdirSync(templates).filter((f) => /^template-\d+\.\d+\.\d+[^.]*$/.test(f));
    expect(made).toEqual([path.basename(dir as string)]);
  }, 120_000);

  it('starts an empty data directory as a cluster that keeps what is written to it', async () => {
    const dir = path.join(work, 'fresh');
    const db = await openPglite(dir);
    // initdb's own files, copied from the template: the version file and the cluster's folders.
    expect(fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    await db.exec('CREATE SCHEMA app; CREATE TABLE app.notes (body text)');
    await db.query('INSERT INTO app.notes VALUES ($1)', ['kept']);
    await db.close();

    const again = await openPglite(dir);
    expect(await again.query<{ body: string }>('SELECT body FROM app.notes')).toEqual([{ body: 'kept' }]);
    await again.close();
  }, 120_000);
});
