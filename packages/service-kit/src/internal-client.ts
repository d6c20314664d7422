/**
 * Typed tRPC client for another LockBox service's procedures, typed by the
 * contract alone, authenticated with the internal credential, and bounded by a
 * timeout so a dead dependency is a quick error, never a hang.
 *
 * The wire is undici's `request` on a keep-alive Agent, not the global
 * `fetch`: measured in the delivery bench, fetch's WHATWG layer (Request and
 * Response objects, web streams, an AbortSignal.timeout per call) cost the
 * message service ~0.6 ms of CPU per internal call — a third of a send.
 */

import { createTRPCClient, httpLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { Agent, request } from 'undici';
import { INTERNAL_HEADER } from './internal-auth';

export interface InternalClientOptions {
  /** Base URLs of the service's instances; calls rotate over them. */
  urls: string[];
  internalToken: string;
  timeoutMs?: number;
}

/** The connection was refused: the request never reached the instance. */
const isRefused = (err: unknown): boolean => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED';
};

/**
 * The part of `fetch` tRPC's httpLink uses, on undici's `request`. Bounded like
 * the fetch it replaces: connecting, waiting for the answer's headers and any
 * pause in its body each time out after `timeoutMs`.
 */
const leanFetch = (timeoutMs: number) => {
  const dispatcher = new Agent({
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return async (url: string, init: RequestInit) => {
    const res = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      headers: init.headers as Record<string, string>,
      body: (init.body ?? null) as string | null,
      ...(init.signal ? { signal: init.signal } : {}),
    });
    return {
      ok: res.statusCode >= 200 && res.statusCode < 300,
      status: res.statusCode,
      json: () => res.body.json(),
    };
  };
};

export const createInternalClient = <R extends AnyTRPCRouter>(opts: InternalClientOptions) => {
  let next = 0;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const fetchLean = leanFetch(timeoutMs);
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
              return await fetchLean(url, init as RequestInit);
            } catch (err) {
              if (i + 1 >= opts.urls.length || !isRefused(err)) throw err;
            }
          }
        },
      }),
    ],
  } as never);
};
