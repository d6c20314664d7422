export * from './auth/contract';
export * from './auth/key-bundle';
export * from './auth/schemas';
export * from './contract';
export * from './errors';
export * from './fields';
export * from './ids';
export * from './openapi';
export * from './routes';

import type { AuthContract } from './auth/contract';
import type { ContractRouter } from './contract';
/** The auth service's router type, for typed tRPC clients. */
export type AuthRouter = ContractRouter<AuthContract>;
