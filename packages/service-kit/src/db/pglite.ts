/**
 * Embedded Postgres (PGlite, Postgres compiled to WASM) in a data directory of
 * the service's own: zero set-up, persists across restarts. One process owns a
 * directory, so several instances of a service need real Postgres.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pgliteTemplate } from './pglite-template';
import type { Database, Queryable, SqlParam } from './types';

export const openPglite = async (dataDir: string): Promise<Database> => {
  fs.mkdirSync(dataDir, { recursive: true });
  // An empty directory starts from the template; anything else (a cluster, or the remains of a
  // start that crashed half-way) is left to PGlite as before.
  const template = fs.readdirSync(dataDir).length === 0 ? await pgliteTemplate() : undefined;
  if (template) fs.cpSync(template, dataDir, { recursive: true });
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
    // In-process, so "reachable" is "not closed". A real query here would queue
    // behind every statement of a burst (one connection), and a readiness probe
    // that waits seconds makes the gateway eject a busy but healthy instance.
    ping: async () => {
      if (pg.closed) throw new Error('pglite is closed');
    },
    close: () => pg.close(),
  };
};
