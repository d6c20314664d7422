/**
 * Procedures other LockBox services call with the service credential (never
 * routed by the gateway): `deliver` hands committed events to the sockets of
 * some users, on every instance.
 */
import type { RealtimeInternalContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { RealtimeDeps } from '../deps';

export const internalHandlers = (deps: RealtimeDeps): HandlersOf<RealtimeInternalContract['internal']> => ({
  deliver: async ({ input }) => {
    const { local } = await deps.fanOut.publish([{ to: input.recipients, frame: input.event }]);
    return { delivered: local };
  },
});
