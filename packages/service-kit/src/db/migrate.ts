/**
 * One set of plain-SQL migrations for both engines, applied in order inside a
 * transaction each, under an advisory lock so several instances starting at
 * once apply each file exactly once. Each service lives in its own schema
 * (`lockbox_<service>`, clear of Supabase's own `auth` schema); nothing here
 * needs a superuser.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './types';

export const runMigrations = async (db: Database, schema: string, dir: string): Promise<string[]> => {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  // Under the same lock as the files: two instances racing through
  // `CREATE … IF NOT EXISTS` can both miss and one fails on a catalog unique index.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  });
  const applied: string[] = [];
  for (const file of files) {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
      const done = await tx.query(`SELECT 1 FROM ${schema}.schema_migrations WHERE version = $1`, [file]);
      if (done.length > 0) return;
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      await tx.exec(sql);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [file]);
      applied.push(file);
    });
  }
  return applied;
};
