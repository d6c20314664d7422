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
    const rows = await deps.db.query<VaultRow>(
      `INSERT INTO lockbox_auth.vaults AS v (user_id, vault, version) VALUES ($1, $2, 1)
       ON CONFLICT (user_id) DO UPDATE SET vault = EXCLUDED.vault, version = v.version + 1, updated_at = now()
         WHERE $3::int IS NULL OR v.version = $3::int
       RETURNING vault, version, updated_at`,
      [ctx.user.id, input.vault, input.expected_version ?? null],
    );
    const row = rows[0];
    if (!row) throw new AppError('conflict', 'the vault changed since you read it; read it again');
    return { vault: row.vault, version: row.version, updated_at: row.updated_at.toISOString() };
  },
});
