/**
 * Account actions the signed-in screens need beyond chatting (kept out of
 * ChatBackend, which is about conversations): App wires them to the session.
 */
import type { LockboxSession } from '@lockbox/client';

export interface AccountActions {
  /** Re-seals the vault under a new password; `rotateKeys` also makes and publishes new identity keys. */
  changePassword(current: string, next: string, rotateKeys: boolean): Promise<void>;
}

export const sessionAccount = (session: LockboxSession): AccountActions => ({
  changePassword: (current, next, rotateKeys) =>
    session.account.changePassword(current, next, { rotateKeys }),
});
