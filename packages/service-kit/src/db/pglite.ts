/**
 * Embedded Postgres (PGlite, Postgres compiled to WASM) in a data directory of
 * the service's own: zero set-up, persists across restarts. One process owns a
 * directory, so several instances of a service need real Postgres.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, SqlParam } from './types';

export const openPglite = async (dataDir: string): Promise<Database> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir);
  const query = async <T>(sql: string, params?: SqlParam[]) => (await pg.query<T>(sql, params)).rows;
  return {
    engine: 'pglite',
    query,
    exec: async (sql: string) => {
      await pg.exec(sql);
    },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      pg.transaction((tx) =>
        fn({
          query: async <R>(sql: string, params?: SqlParam[]) => (await tx.query<R>(sql, params)).rows,
          exec: async (sql: string) => {
            await tx.exec(sql);
          },
        }),
      ),
    ping: async () => {
      await pg.query('select 1');
    },
    close: () => pg.close(),
  };
};
