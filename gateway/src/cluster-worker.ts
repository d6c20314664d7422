/**
 * The worker side of GATEWAY_WORKERS > 1: answers the primary's questions over
 * the cluster IPC channel. Metrics go through prom-client's AggregatorRegistry
 * protocol (the primary merges every worker's registry); the health report is
 * this worker's, asked of one worker at a time (cluster-primary.ts).
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { HealthMonitor } from './health';

/** The message type of a health question and its answer. */
export const HEALTH_MESSAGE = 'lockbox-gateway:health';

export interface HealthQuestion {
  type: typeof HEALTH_MESSAGE;
  id: number;
}

export const isHealthMessage = (message: unknown): message is HealthQuestion =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === HEALTH_MESSAGE &&
  typeof (message as { id?: unknown }).id === 'number';

export const answerPrimary = (registry: Registry, health: HealthMonitor): void => {
  // Constructing one installs prom-client's listener for the primary's metrics requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  process.on('message', (message: unknown) => {
    if (!isHealthMessage(message)) return;
    health.report().then(
      (report) => process.send?.({ type: HEALTH_MESSAGE, id: message.id, report }),
      () => process.send?.({ type: HEALTH_MESSAGE, id: message.id }),
    );
  });
};
