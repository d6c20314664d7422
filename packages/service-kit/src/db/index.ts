import path from 'node:path';
import type { Logger } from '../logger';
import { openPglite } from './pglite';
import { openPostgres, type PostgresTimeouts } from './postgres';
import type { Database } from './types';

export { runMigrations } from './migrate';
export { noDatabase } from './none';
export * from './types';

export interface OpenDatabaseOptions {
  service: string;
  dataDir: string;
  url: string | undefined;
  poolMax: number;
  log: Logger;
  /** Postgres only (PGlite runs in-process: nothing to time out). */
  timeouts?: PostgresTimeouts;
}

/** PGlite under `<data dir>/<service>` by default; Postgres when a URL is given. */
export const openDatabase = async (opts: OpenDatabaseOptions): Promise<Database> => {
  if (opts.url) {
    opts.log.info({ engine: 'postgres' }, 'database: postgres');
    return openPostgres(opts.url, opts.log, opts.poolMax, opts.timeouts);
  }
  const dir = path.join(opts.dataDir, opts.service);
  opts.log.info({ engine: 'pglite', dir }, 'database: embedded pglite');
  return openPglite(dir);
};
