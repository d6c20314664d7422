/**
 * Typed caller for another LockBox service's procedures, typed by the contract
 * alone, authenticated with the internal credential, and bounded by a timeout
 * so a dead dependency is a quick error, never a hang.
 *
 * It speaks the wire `@trpc/client`'s httpLink speaks (`GET /trpc/<path>?input=…`
 * for queries, `POST /trpc/<path>` with a JSON body for mutations; answers
 * `{ result: { data } }` or `{ error: shape }`), has the client's type
 * (`proxy.a.b.query(input)` / `.mutate(input)`) and throws its error type
 * (`TRPCClientError`), but without its links, observables and per-call
 * AbortControllers: on a toy service's mutation called in a loop, the tRPC
 * client layer was a large share of the CPU each call cost, client and server
 * together.
 *
 * The wire is undici's `request` on a keep-alive Agent, not the global
 * `fetch`: in the delivery bench, fetch's WHATWG layer (Request and Response
 * objects, web streams, an AbortSignal.timeout per call) made internal calls a
 * substantial part of the message service's CPU per send.
 */

import { type TRPCClient, TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { Agent, request } from 'undici';
import { INTERNAL_HEADER } from './internal-auth';

export interface InternalClientOptions {
  /** Base URLs of the service's instances; calls rotate over them. */
  urls: string[];
  internalToken: string;
  timeoutMs?: number;
}

/**
 * Error codes that mean the request never reached the instance: refused, no route to it (a
 * partitioned host), or no connection within the connect timeout. Only these move a call on to
 * the next instance; any later failure may have reached the instance, and a mutation must not run
 * twice by our hand (the caller's idempotency key decides that).
 */
const NOTHING_SENT = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The call failed before a connection existed: no instance received it. */
export const reachedNoInstance = (err: unknown): boolean => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return NOTHING_SENT.has(e?.code as string) || NOTHING_SENT.has(e?.cause?.code as string);
};

/** A LAN connect is fast; a partitioned instance should not hold a call for the whole timeout. */
const CONNECT_TIMEOUT_MS = 1_500;

type CallOptions = { signal?: AbortSignal } | undefined;
type Call = (path: string, input: unknown, opts: CallOptions) => Promise<unknown>;

/** `{ result: { data } }` → data; `{ error: shape }` → the TRPCClientError tRPC's client would throw. */
const dataOf = (json: unknown): unknown => {
  const answer = json as { result?: { data?: unknown }; error?: unknown } | null;
  if (answer && typeof answer === 'object' && answer.error !== undefined)
    throw TRPCClientError.from(answer as never);
  if (!answer || typeof answer !== 'object' || !answer.result || typeof answer.result !== 'object')
    throw new TRPCClientError('Unable to transform response from server');
  return answer.result.data;
};

/**
 * `proxy.a.b.query(input)` → `call('query', 'a.b', input)`. Each path's node
 * and its two functions are made once and kept, so a call allocates no proxy.
 */
const pathProxy = (query: Call, mutate: Call) => {
  const nodes = new Map<string, object>();
  const nodeFor = (path: string): object => {
    let node = nodes.get(path);
    if (node) return node;
    const q = (input?: unknown, opts?: CallOptions) => query(path, input, opts);
    const m = (input?: unknown, opts?: CallOptions) => mutate(path, input, opts);
    node = new Proxy(
      {},
      {
        get: (_target, key) => {
          if (typeof key !== 'string') return undefined;
          if (key === 'query') return q;
          if (key === 'mutate') return m;
          return nodeFor(path ? `${path}.${key}` : key);
        },
      },
    );
    nodes.set(path, node);
    return node;
  };
  return nodeFor('');
};

export const createInternalClient = <R extends AnyTRPCRouter>(opts: InternalClientOptions): TRPCClient<R> => {
  let next = 0;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const dispatcher = new Agent({
    connect: { timeout: Math.min(timeoutMs, CONNECT_TIMEOUT_MS) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const queryHeaders = { [INTERNAL_HEADER]: opts.internalToken };
  const mutationHeaders = { ...queryHeaders, 'content-type': 'application/json' };

  const once = async (url: string, mutation: boolean, body: string | undefined, signal?: AbortSignal) => {
    const res = await request(url, {
      dispatcher,
      method: mutation ? 'POST' : 'GET',
      headers: mutation ? mutationHeaders : queryHeaders,
      body: body ?? null,
      ...(signal ? { signal } : {}),
    });
    return dataOf(await res.body.json());
  };

  const call = async (mutation: boolean, path: string, input: unknown, callOpts: CallOptions) => {
    const json = input === undefined ? undefined : JSON.stringify(input);
    // Services serve tRPC under /trpc (service-kit's http/server.ts); `urls` are bare instance URLs.
    const rest =
      mutation || json === undefined ? `/trpc/${path}` : `/trpc/${path}?input=${encodeURIComponent(json)}`;
    const body = mutation ? json : undefined;
    // Round-robin across instances. An instance that could not be connected to got nothing, so the
    // next one takes the call (mutations too); without this a dead or partitioned instance failed
    // every other call, and a retry could land on it again.
    const first = next++;
    for (let i = 0; ; i++) {
      const base = opts.urls[(first + i) % opts.urls.length] ?? '';
      try {
        return await once(base + rest, mutation, body, callOpts?.signal);
      } catch (err) {
        if (i + 1 >= opts.urls.length || !reachedNoInstance(err)) throw TRPCClientError.from(err as Error);
      }
    }
  };

  return pathProxy(
    (path, input, o) => call(false, path, input, o),
    (path, input, o) => call(true, path, input, o),
  ) as TRPCClient<R>;
};
