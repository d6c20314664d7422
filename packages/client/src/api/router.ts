/**
 * The one router type the SDK talks to: every public procedure of the auth and
 * message services, typed by their contracts alone (no service code imported).
 * The gateway routes `/trpc/<namespace>.<procedure>` to the service that owns
 * the namespace, so one tRPC client reaches them all.
 */
import type { AuthContract, ContractRouter, MessagesContract } from '@lockbox/contracts';

export type PublicContract = Omit<AuthContract, 'internal'> & Omit<MessagesContract, 'internal'>;
export type LockboxRouter = ContractRouter<PublicContract>;
