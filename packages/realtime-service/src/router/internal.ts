/**
 * Procedures other LockBox services and operators call with the service
 * credential (never routed by the gateway): `deliver` hands committed events
 * to the sockets of some users on every instance; `connections` and
 * `broadcast` are what the original served publicly at /connections and /broadcast.
 */
import type { RealtimeInternalContract } from '@lockbox/contracts';
import type { HandlersOf } from '@lockbox/service-kit';
import type { RealtimeDeps } from '../deps';

export const internalHandlers = (deps: RealtimeDeps): HandlersOf<RealtimeInternalContract['internal']> => ({
  deliver: async ({ input }) => {
    const { local } = await deps.fanOut.publish([{ to: input.recipients, frame: input.event }]);
    return { delivered: local };
  },

  deliverMany: async ({ input }) => {
    const { local } = await deps.fanOut.publish(
      input.deliveries.map((d) => ({ to: d.recipients, frame: d.event })),
    );
    return { delivered: local };
  },

  connections: async () => ({
    instance: deps.instance,
    sockets: deps.registry.sockets,
    users: deps.registry.users,
    fan_out: deps.fanOut.mode,
    fan_out_connected: deps.fanOut.connected,
  }),

  broadcast: async ({ input }) => {
    const { local } = await deps.fanOut.publish([{ to: 'all', frame: input.event }]);
    return { delivered: local };
  },
});
