export * from './auth/archive';
export * from './auth/contract';
export * from './auth/devices';
export * from './auth/key-bundle';
export * from './auth/key-packages';
export * from './auth/schemas';
export * from './contract';
export * from './errors';
export * from './fields';
export * from './ids';
export * from './messages/contract';
export * from './messages/mls';
export * from './messages/schemas';
export * from './openapi';
export * from './realtime/contract';
export * from './realtime/frames';
export * from './routes';
export * from './service-contract';
export * from './services';

import type { AuthContract } from './auth/contract';
import type { ContractRouter } from './contract';
import type { MessagesContract } from './messages/contract';
import type { RealtimeInternalContract } from './realtime/contract';
/** The auth service's router type, for typed tRPC clients. */
export type AuthRouter = ContractRouter<AuthContract>;
/** The message service's router type, for typed tRPC clients. */
export type MessagesRouter = ContractRouter<MessagesContract>;
/** The realtime service's internal procedures other services call. */
export type RealtimeInternalRouter = ContractRouter<RealtimeInternalContract>;
