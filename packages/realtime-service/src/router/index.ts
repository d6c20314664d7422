/** The realtime service's router: only internal procedures; clients speak WebSocket frames. */
import { realtimeInternalContract } from '@lockbox/contracts';
import { implement } from '@lockbox/service-kit';
import type { RealtimeDeps } from '../deps';
import { internalHandlers } from './internal';

export const createRealtimeRouter = (deps: RealtimeDeps) =>
  implement(realtimeInternalContract, { internal: internalHandlers(deps) });
