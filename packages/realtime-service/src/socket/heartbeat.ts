/**
 * One timer for every socket (not one per socket): each round pings every
 * socket, and drops those that did not answer the previous round's ping (or
 * send anything) since. A half-open TCP connection is gone within two rounds.
 */
import type { ConnectionRegistry } from './registry';

export const startHeartbeat = (registry: ConnectionRegistry, intervalMs: number) => {
  const timer = setInterval(() => {
    for (const conn of registry.all()) {
      if (!conn.alive) {
        conn.markClosed();
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        // Socket already closing; the close handler cleans up.
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};
