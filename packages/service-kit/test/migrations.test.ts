/** Plain-SQL migrations on both engines: applied once, in order, idempotent, atomic, safe to race. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTempDatabase } from '@lockbox/testkit';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db';
import { runMigrations } from '../src/db/migrate';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const engines: Array<[string, () => Promise<Database>]> = [
  [
    'pglite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-pglite-'));
      const db = await openPglite(dir);
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      cleanups.push(() => db.close());
      return db;
    },
  ],
];
const adminUrl = process.env.TEST_DATABASE_URL;
if (adminUrl)
  engines.push([
    'postgres',
    async () => {
      const temp = await createTempDatabase(adminUrl);
      cleanups.push(() => temp.drop());
      const db = await openPostgres(temp.url, silent, 5);
      cleanups.push(() => db.close());
      return db;
    },
  ]);

const migrationsDir = (files: Record<string, string>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-migrations-'));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
};

let schemaCounter = 0;
const freshSchema = () => `sk_test_${process.pid}_${schemaCounter++}`;

describe.each(engines)('runMigrations on %s', (_engine, openEngine) => {
  // One database per engine (PGlite takes seconds to create); each test works in a fresh schema.
  let shared: Promise<Database> | undefined;
  const open = () => {
    shared ??= openEngine();
    return shared;
  };
  it('applies files in order once; a second run applies nothing', async () => {
    const db = await open();
    const schema = freshSchema();
    const dir = migrationsDir({
      '002_more.sql': `ALTER TABLE ${schema}.things ADD COLUMN note text;`,
      '001_init.sql': `CREATE TABLE ${schema}.things (id int PRIMARY KEY);\nINSERT INTO ${schema}.things VALUES (1);`,
      'README.md': 'not a migration',
    });
    expect(await runMigrations(db, schema, dir)).toEqual(['001_init.sql', '002_more.sql']);
    expect(await runMigrations(db, schema, dir)).toEqual([]);
    const rows = await db.query<{ id: number; note: string | null }>(`SELECT id, note FROM ${schema}.things`);
    expect(rows).toEqual([{ id: 1, note: null }]);
    const versions = await db.query<{ version: string }>(
      `SELECT version FROM ${schema}.schema_migrations ORDER BY version`,
    );
    expect(versions.map((v) => v.version)).toEqual(['001_init.sql', '002_more.sql']);

    fs.writeFileSync(path.join(dir, '003_later.sql'), `INSERT INTO ${schema}.things VALUES (3);`);
    expect(await runMigrations(db, schema, dir)).toEqual(['003_later.sql']);
    expect(await db.query(`SELECT id FROM ${schema}.things ORDER BY id`)).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('rolls a failing file back entirely and does not record it', async () => {
    const db = await open();
    const schema = freshSchema();
    const dir = migrationsDir({
      '001_ok.sql': `CREATE TABLE ${schema}.a (id int);`,
      '002_bad.sql': `CREATE TABLE ${schema}.b (id int);\nSELECT no_such_function();`,
    });
    await expect(runMigrations(db, schema, dir)).rejects.toThrow();
    const tables = await db.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['a', 'schema_migrations']);
    fs.writeFileSync(path.join(dir, '002_bad.sql'), `CREATE TABLE ${schema}.b (id int);`);
    expect(await runMigrations(db, schema, dir)).toEqual(['002_bad.sql']);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const db = await open();
    await expect(runMigrations(db, 'x; DROP TABLE y', migrationsDir({}))).rejects.toThrow(/schema/);
  });
});

describe.runIf(adminUrl)('runMigrations racing on one Postgres database', () => {
  it('several instances starting at once apply each file exactly once, none fails', async () => {
    const temp = await createTempDatabase(adminUrl as string);
    cleanups.push(() => temp.drop());
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openPostgres(temp.url, silent, 2)));
    for (const db of dbs) cleanups.push(() => db.close());
    const schema = 'sk_race';
    const dir = migrationsDir({
      '001_init.sql': `CREATE TABLE ${schema}.counter (n int);`,
      '002_once.sql': `INSERT INTO ${schema}.counter VALUES (1);`,
    });
    const applied = await Promise.all(dbs.map((db) => runMigrations(db, schema, dir)));
    expect(applied.flat().sort()).toEqual(['001_init.sql', '002_once.sql']);
    expect(await dbs[0]?.query(`SELECT count(*)::int AS n FROM ${schema}.counter`)).toEqual([{ n: 1 }]);
  });
});
