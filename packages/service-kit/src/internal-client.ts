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

export const createInternalClient = <R extends AnyTRPCRouter>(opts: InternalClientOptions) => {
  let next = 0;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  return createTRPCClient<R>({
    links: [
      httpLink({
        // Services serve tRPC under /trpc (service-kit's http/server.ts); `urls` are bare instance URLs.
        url: `${opts.urls[0] ?? ''}/trpc`,
        headers: { [INTERNAL_HEADER]: opts.internalToken },
        fetch: (input, init) => {
          // Round-robin across instances: swap the base URL per call.
          const base = opts.urls[next++ % opts.urls.length] ?? '';
          const url = String(input).replace(opts.urls[0] ?? '', base);
          return fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
        },
      }),
    ],
  } as never);
};
