/**
 * The typed API client: tRPC over HTTP through the gateway's `/v1/trpc`, typed by
 * the contracts. It attaches the access token, and on a 401 refreshes once
 * (see TokenKeeper) and retries. Every request has a timeout, and every answer
 * is checked against its contract's output schema (response-validation.ts).
 */
import { API_BASE_PATH } from '@lockbox/contracts';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { KeyValueStore } from '../store/types';
import { call } from './errors';
import { responseValidationLink } from './response-validation';
import type { LockboxRouter } from './router';
import { TokenKeeper } from './tokens';

export type LockboxTrpc = TRPCClient<LockboxRouter>;

export interface ApiOptions {
  /** The gateway, e.g. http://localhost:8000. */
  baseUrl: string;
  store: KeyValueStore;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface LockboxApi {
  trpc: LockboxTrpc;
  tokens: TokenKeeper;
  baseUrl: string;
}

/** Calls that never carry or refresh a token: a 401 from these is the answer itself. */
const UNAUTHENTICATED = ['auth.login', 'auth.register', 'auth.refresh', 'auth.prelogin'];

const withAuthorization = (init: RequestInit | undefined, token: string | undefined): RequestInit => {
  const headers = new Headers(init?.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  else headers.delete('authorization');
  return { ...init, headers };
};

const withTimeout = (init: RequestInit, timeoutMs: number): RequestInit => {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout };
};

export const createLockboxApi = (opts: ApiOptions): LockboxApi => {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  // The versioned path: the unversioned `/trpc` stays for the original clients only.
  const trpcUrl = `${baseUrl}${API_BASE_PATH}/trpc`;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const plainFetch = (input: RequestInfo | URL, init?: RequestInit) =>
    doFetch(input, withTimeout(init ?? {}, timeoutMs));

  const anonymous = createTRPCClient<LockboxRouter>({
    links: [responseValidationLink, httpLink({ url: trpcUrl, fetch: plainFetch as typeof fetch })],
  });
  const tokens = new TokenKeeper(opts.store, (refresh_token) =>
    call(() => anonymous.auth.refresh.mutate({ refresh_token })),
  );

  const authFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const path = new URL(url).pathname.replace(/^.*\/trpc\//, '');
    if (UNAUTHENTICATED.includes(path)) return plainFetch(input, withAuthorization(init, undefined));
    const token = tokens.accessToken;
    const res = await plainFetch(input, withAuthorization(init, token));
    if (res.status !== 401 || !token) return res;
    const next = await tokens.refreshAfter(token);
    if (!next) return res;
    return plainFetch(input, withAuthorization(init, next));
  };

  const trpc = createTRPCClient<LockboxRouter>({
    links: [responseValidationLink, httpLink({ url: trpcUrl, fetch: authFetch as typeof fetch })],
  });
  return { trpc, tokens, baseUrl };
};
