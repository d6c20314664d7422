/**
 * The database of a service that keeps no tables (realtime): nothing is opened,
 * readiness is always fine, and a query is a programming error, said loudly.
 */
import type { Database } from './types';

const refuse = async (): Promise<never> => {
  throw new Error('this service runs without a database');
};

export const noDatabase = (): Database => ({
  engine: 'none',
  query: refuse,
  exec: refuse,
  transaction: refuse,
  ping: async () => undefined,
  close: async () => undefined,
});
