/** Accounts for tests: unique names, one registration each (argon2 makes them cost ~50 ms). */
import { randomBytes } from 'node:crypto';
import type { TSessionResponse } from '@lockbox/contracts';
import { type Client, type RequestOptions, registerUser, type TestUser } from '@lockbox/testkit';

export type Account = TestUser;

/** A valid username that no other test (or test run) uses: letters, digits, `_` and up to 32 characters. */
export const uniqueUsername = (prefix = 'u') => `${prefix}${randomBytes(6).toString('hex')}`.slice(0, 32);

/** Registers an account (a unique name and a password unless given; `from` is the source address). */
export const register = (
  api: Client,
  opts: { username?: string; password?: string; from?: string } = {},
): Promise<Account> =>
  registerUser(api, 'u', {
    username: opts.username ?? uniqueUsername(),
    password: opts.password,
    localAddress: opts.from,
  });

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
