/** The LockBox services behind the gateway and where each listens by default. */
export const SERVICES = ['auth', 'messages', 'realtime'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = { auth: 8001, messages: 8002, realtime: 8003 };
export const GATEWAY_PORT = 8000;
