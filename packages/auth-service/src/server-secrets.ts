/**
 * Secrets the auth service makes on first start and keeps in its own table, so
 * every auth instance on one database signs with the same key.
 */
import type { Queryable } from '@lockbox/service-kit';

export const getOrCreateSecret = async (
  db: Queryable,
  name: string,
  make: () => Promise<string>,
): Promise<string> => {
  const existing = await db.query<{ value: string }>(
    'SELECT value FROM lockbox_auth.server_secrets WHERE name = $1',
    [name],
  );
  if (existing[0]) return existing[0].value;
  await db.query(
    'INSERT INTO lockbox_auth.server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
    [name, await make()],
  );
  const [row] = await db.query<{ value: string }>(
    'SELECT value FROM lockbox_auth.server_secrets WHERE name = $1',
    [name],
  );
  if (!row) throw new Error(`secret ${name} missing after insert`);
  return row.value;
};
