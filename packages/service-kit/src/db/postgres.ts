/**
 * Any Postgres (Supabase included) through node-postgres' pool. Timeouts are
 * bounded so a dead or unreachable database turns into a quick 503, never a hang:
 * connecting gives up after `connectTimeoutMs`, and every query after
 * `queryTimeoutMs` without an answer (a stalled network path answers nothing,
 * ever: only a client-side timeout ends the wait). Migration scripts
 * (`exec` in a transaction) are not bounded: a big index build may take long.
 */
import pg from 'pg';
import type { Logger } from '../logger';
import type { Database, Queryable, SqlParam } from './types';

// int8 (bigint) as JS number: LockBox's bigints (sequences, cursors) stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresTimeouts {
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** pg's error when a query got no answer within its query_timeout. */
const isQueryTimeout = (err: unknown) => (err as Error | undefined)?.message === 'Query read timeout';

export const openPostgres = async (
  url: string,
  log: Logger,
  max: number,
  timeouts: PostgresTimeouts = {},
): Promise<Database> => {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 3_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'lockbox',
  });
  const query_timeout = timeouts.queryTimeoutMs ?? 10_000;
  const bounded = (text: string, params?: SqlParam[]) => ({
    text,
    values: params as unknown[],
    query_timeout,
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', (err) => log.warn({ err: err.message }, 'postgres idle client error'));
  const query = async <T>(sql: string, params?: SqlParam[]) =>
    (await pool.query(bounded(sql, params))).rows as T[];
  const db: Database = {
    engine: 'postgres',
    query,
    exec: async (sql: string) => {
      await pool.query(bounded(sql));
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(bounded('BEGIN'));
        const result = await fn({
          query: async <R>(sql: string, params?: SqlParam[]) =>
            (await client.query(bounded(sql, params))).rows as R[],
          exec: async (sql: string) => {
            await client.query(sql);
          },
        });
        await client.query(bounded('COMMIT'));
        return result;
      } catch (err) {
        // A connection that timed out is stalled: a ROLLBACK would wait out another timeout.
        // Dropping the connection rolls the transaction back on the server all the same.
        if (isQueryTimeout(err)) broken = err as Error;
        else
          try {
            await client.query(bounded('ROLLBACK'));
          } catch (rollbackErr) {
            broken = rollbackErr as Error;
          }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    ping: async () => {
      await pool.query(bounded('select 1'));
    },
    close: () => pool.end(),
  };
  return db;
};
