/** Accounts for tests: unique names, one registration each (argon2 makes them cost ~50 ms). */
import { randomBytes } from 'node:crypto';
import type { TSessionResponse } from '@lockbox/contracts';
import type { Client, RequestOptions } from '@lockbox/testkit';

export interface Account {
  id: string;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** A valid username that no other test (or test run) uses: letters, digits, `_` and up to 32 characters. */
export const uniqueUsername = (prefix = 'u') => `${prefix}${randomBytes(6).toString('hex')}`.slice(0, 32);

export const register = async (
  api: Client,
  opts: { username?: string; password?: string; from?: string } = {},
): Promise<Account> => {
  const username = opts.username ?? uniqueUsername();
  const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const res = await api.post<TSessionResponse>('/auth/register', {
    body: { username, password },
    ...(opts.from ? { localAddress: opts.from } : {}),
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
  return {
    id: res.json.user.id,
    username,
    password,
    token: res.json.access_token,
    refreshToken: res.json.refresh_token,
  };
};

export const login = (api: Client, username: string, password: string, opts: RequestOptions = {}) =>
  api.post<TSessionResponse & ErrorJson>('/auth/login', { body: { username, password }, ...opts });

export interface ErrorJson {
  error: { code: string; message: string; request_id: string; retry_after?: number };
}

/** The error without its request id, to compare two answers. */
export const errorShape = (body: ErrorJson | undefined) => {
  const { request_id: _id, ...rest } = body?.error ?? ({} as ErrorJson['error']);
  return rest;
};
