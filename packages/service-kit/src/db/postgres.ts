/**
 * Any Postgres (Supabase included) through node-postgres' pool. Timeouts are
 * bounded so a dead or unreachable database turns into a quick 503, never a hang.
 */
import pg from 'pg';
import type { Logger } from '../logger';
import type { Database, Queryable, SqlParam } from './types';

// int8 (bigint) as JS number: LockBox's bigints (sequences, cursors) stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export const openPostgres = async (url: string, log: Logger, max: number): Promise<Database> => {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
    keepAlive: true,
    application_name: 'lockbox',
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'postgres idle client error'));
  const query = async <T>(sql: string, params?: SqlParam[]) =>
    (await pool.query(sql, params as unknown[])).rows as T[];
  const db: Database = {
    engine: 'postgres',
    query,
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <R>(sql: string, params?: SqlParam[]) =>
            (await client.query(sql, params as unknown[])).rows as R[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
  return db;
};
