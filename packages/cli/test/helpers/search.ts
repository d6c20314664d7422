/**
 * Looks for secrets where the server keeps things: every file under a
 * directory (PGlite's data files, logs), and every row of every LockBox schema
 * in Postgres. Strings are searched as UTF-8 bytes and as UTF-16LE.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
      })
    : [];

/** Each needle → the files that contain it. */
export const searchFiles = (dirs: string[], needles: string[]): Map<string, string[]> => {
  const found = new Map<string, string[]>(needles.map((n) => [n, []]));
  const patterns = needles.map((n) => [n, Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')] as const);
  for (const file of dirs.flatMap(filesUnder)) {
    const bytes = fs.readFileSync(file);
    for (const [needle, utf8, utf16] of patterns)
      if (bytes.includes(utf8) || bytes.includes(utf16)) found.get(needle)?.push(file);
  }
  return found;
};

/** Each needle → the `schema.table` whose rows (as text) contain it. */
export const searchDatabase = async (url: string, needles: string[]): Promise<Map<string, string[]>> => {
  const found = new Map<string, string[]>(needles.map((n) => [n, []]));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname LIKE 'lockbox%'",
    );
    for (const { schemaname, tablename } of tables.rows) {
      const rows = await client.query<{ row: string }>(
        `SELECT t::text AS row FROM "${schemaname}"."${tablename}" t`,
      );
      const text = rows.rows.map((r) => r.row).join('\n');
      for (const n of needles) if (text.includes(n)) found.get(n)?.push(`${schemaname}.${tablename}`);
    }
  } finally {
    await client.end();
  }
  return found;
};
