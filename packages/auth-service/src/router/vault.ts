/** The caller's own encrypted key vault: opaque to the server, versioned against lost updates. */
import type { AuthContract } from '@lockbox/contracts';
import { AppError, type HandlersOf } from '@lockbox/service-kit';
import type { AuthDeps } from '../deps';

interface VaultRow {
  vault: string;
  version: number;
  updated_at: Date;
}

export const vaultHandlers = (deps: AuthDeps): HandlersOf<AuthContract['vault']> => ({
  get: async ({ ctx }) => {
    const [row] = await deps.db.query<VaultRow>(
      'SELECT vault, version, updated_at FROM lockbox_auth.vaults WHERE user_id = $1',
      [ctx.user.id],
    );
    return row
      ? { vault: row.vault, version: row.version, updated_at: row.updated_at.toISOString() }
      : { vault: null, version: 0, updated_at: null };
  },

  put: async ({ input, ctx }) => {
    // Update when the caller's expectation holds; create only when it expects no
    // vault (absent or 0). A racing first write loses the insert and gets 409.
    const rows = await deps.db.query<VaultRow>(
      `WITH updated AS (
         UPDATE lockbox_auth.vaults SET vault = $2, version = version + 1, updated_at = now()
          WHERE user_id = $1 AND ($3::int IS NULL OR version = $3::int)
          RETURNING vault, version, updated_at
       ), created AS (
         INSERT INTO lockbox_auth.vaults (user_id, vault, version)
         SELECT $1, $2, 1
          WHERE NOT EXISTS (SELECT 1 FROM updated) AND ($3::int IS NULL OR $3::int = 0)
         ON CONFLICT (user_id) DO NOTHING
         RETURNING vault, version, updated_at
       )
       SELECT * FROM updated UNION ALL SELECT * FROM created`,
      [ctx.user.id, input.vault, input.expected_version ?? null],
    );
    const row = rows[0];
    if (!row) throw new AppError('conflict', 'the vault changed since you read it; read it again');
    return { vault: row.vault, version: row.version, updated_at: row.updated_at.toISOString() };
  },
});
