/**
 * Typed tRPC client for another LockBox service's procedures, typed by the
 * contract alone, authenticated with the internal credential, and bounded by a
 * timeout so a dead dependency is a quick error, never a hang.
 */

import { createTRPCClient, httpLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { INTERNAL_HEADER } from './internal-auth';

export interface InternalClientOptions {
  /** Base URLs of the service's instances; calls rotate over them. */
  urls: string[];
  internalToken: string;
  timeoutMs?: number;
}

/** The connection was refused: the request never reached the instance. */
const isRefused = (err: unknown): boolean =>
  (err as { cause?: { code?: unknown } } | null)?.cause?.code === 'ECONNREFUSED';

export const createInternalClient = <R extends AnyTRPCRouter>(opts: InternalClientOptions) => {
  let next = 0;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  return createTRPCClient<R>({
    links: [
      httpLink({
        // Services serve tRPC under /trpc (service-kit's http/server.ts); `urls` are bare instance URLs.
        url: `${opts.urls[0] ?? ''}/trpc`,
        headers: { [INTERNAL_HEADER]: opts.internalToken },
        fetch: async (input, init) => {
          // Round-robin across instances: swap the base URL per call. An instance that refuses the
          // connection got nothing, so the next one takes the call (mutations too); without this a
          // dead instance failed every other call, and a retry could land on it again.
          const first = next++;
          for (let i = 0; ; i++) {
            const base = opts.urls[(first + i) % opts.urls.length] ?? '';
            const url = String(input).replace(opts.urls[0] ?? '', base);
            try {
              return await fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
            } catch (err) {
              if (i + 1 >= opts.urls.length || !isRefused(err)) throw err;
            }
          }
        },
      }),
    ],
  } as never);
};
