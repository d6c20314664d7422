/** The LockBox services behind the gateway and where each listens by default (from deployables.mjs). */
import { instancePort } from './deployables.mjs';

export const SERVICES = ['auth', 'messages', 'realtime'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  auth: instancePort('auth'),
  messages: instancePort('messages'),
  realtime: instancePort('realtime'),
};
export const GATEWAY_PORT = instancePort('gateway');
