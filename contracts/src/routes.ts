/**
 * The gateway's public route table: which service answers which path prefix,
 * and which tRPC namespaces are public. `internal` is in no list, so the
 * gateway never routes an internal procedure.
 */
export const SERVICES = ['auth', 'messages', 'realtime'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = { auth: 8001, messages: 8002, realtime: 8003 };
export const GATEWAY_PORT = 8000;

/** Longest prefix wins; a prefix matches the path itself or the path followed by `/` or `?`. */
export const PUBLIC_PREFIXES: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/auth', service: 'auth' },
  { prefix: '/users', service: 'auth' },
  { prefix: '/messages', service: 'messages' },
  { prefix: '/chat-requests', service: 'messages' },
  { prefix: '/contacts', service: 'messages' },
  { prefix: '/ws', service: 'realtime' },
];

/** tRPC namespaces callable through the gateway at `/trpc/<namespace>.<procedure>`. */
export const PUBLIC_TRPC_NAMESPACES: Readonly<Record<string, ServiceName>> = {
  auth: 'auth',
  keys: 'auth',
  vault: 'auth',
  users: 'auth',
  chatRequests: 'messages',
  contacts: 'messages',
  messages: 'messages',
};
