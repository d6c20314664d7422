/** The CLI's settings, read once from the environment. */
import os from 'node:os';
import path from 'node:path';

export interface CliEnv {
  /** Where tokens, keys and pins live (created 0700, files 0600). */
  home: string;
  /** The LockBox gateway. */
  url: string;
  protocol: 'v1' | 'v2';
  /** Non-interactive password (scripts, tests); otherwise prompted without echo. */
  password: string | undefined;
  /** The new password for `passwd` and `upgrade` (non-interactive use). */
  newPassword: string | undefined;
}

export const readEnv = (env: NodeJS.ProcessEnv = process.env): CliEnv => ({
  home: path.resolve(env.LOCKBOX_HOME || path.join(os.homedir(), '.lockbox')),
  url: (env.LOCKBOX_URL || 'http://localhost:8000').replace(/\/+$/, ''),
  // E2E v2 (MLS, devices) is opt-in for now: LOCKBOX_E2E=v2.
  protocol: env.LOCKBOX_E2E === 'v2' ? 'v2' : 'v1',
  password: env.LOCKBOX_PASSWORD || undefined,
  newPassword: env.LOCKBOX_NEW_PASSWORD || undefined,
});
