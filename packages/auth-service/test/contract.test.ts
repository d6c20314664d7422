/**
 * Contract tests: the router the service builds, the contract's REST table and
 * the OpenAPI document agree; every non-public route refuses a missing or bad
 * token (table-driven over the contract); internal procedures need the service
 * credential and work with it.
 */
import { authContract, flattenContract, pathParamsOf, restRoutesOf } from '@lockbox/contracts';
import { INTERNAL_HEADER } from '@lockbox/service-kit';
import { enginesUnderTest } from '@lockbox/testkit';
import { describeRouterAgreesWithContract } from '@lockbox/testkit/contract-agreement';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDeps } from '../src/deps';
import { createAuthRouter } from '../src/router';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type Account, type ErrorJson, register } from './helpers/users';

// Building the router only wires handlers; none runs, so no dependency is touched.
describeRouterAgreesWithContract(createAuthRouter({} as AuthDeps), authContract);
const operations = flattenContract(authContract);

const SOME_USER_ID = 'usr_0123456789abcdefghjkmnpqrs';
const fillPath = (path: string) =>
  pathParamsOf(path).reduce(
    (p, name) => p.replace(`{${name}}`, name === 'user_id' ? SOME_USER_ID : 'x'),
    path,
  );

const protectedOps = operations.filter((o) => o.op.access !== 'public');
const restProtected = restRoutesOf(authContract).filter((r) => r.op.access !== 'public');

describe.each(enginesUnderTest())('access control on %s', (engine) => {
  let auth: TestAuth;
  let alice: Account;
  beforeAll(async () => {
    auth = await startAuth(engine);
    alice = await register(auth.api);
  });
  afterAll(() => auth?.close());

  it('the table is not empty (it would pass vacuously)', () => {
    expect(restProtected.length).toBeGreaterThanOrEqual(7);
    expect(protectedOps.some((o) => o.op.access === 'internal')).toBe(true);
  });

  describe('REST: every non-public route refuses', () => {
    const cases = restProtected.flatMap((r) =>
      [
        ['no token', undefined],
        ['a malformed header', 'Basic dXNlcjpwYXNz'],
        ['a garbage token', 'Bearer not.a.jwt'],
        ['an empty bearer', 'Bearer '],
      ].map(([why, authorization]) => [`${r.rest.method} ${r.rest.path}`, why, authorization, r] as const),
    );
    it.each(cases)('%s with %s → 401', async (_label, _why, authorization, r) => {
      const res = await auth.api.request<ErrorJson>(r.rest.method, fillPath(r.rest.path), {
        ...(r.rest.method === 'GET' ? {} : { body: {} }),
        ...(authorization ? { headers: { authorization } } : {}),
      });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      expect(res.headers['www-authenticate'] ?? '').not.toMatch(/basic/i);
    });
  });

  describe('tRPC: every non-public procedure refuses a missing token', () => {
    it.each(protectedOps.map((o) => [o.name, o] as const))('%s → 401', async (name, { op }) => {
      const res =
        op.kind === 'query'
          ? await auth.api.get<{ error: { data: { httpStatus: number } } }>(`/trpc/${name}`)
          : await auth.api.post<{ error: { data: { httpStatus: number } } }>(`/trpc/${name}`, { body: {} });
      expect(res.status).toBe(401);
      expect(res.json.error.data.httpStatus).toBe(401);
    });
  });

  it('public routes answer without a token', async () => {
    expect((await auth.api.get('/auth/.well-known/jwks.json')).status).toBe(200);
    expect((await auth.api.post('/auth/prelogin', { body: { username: 'nobody' } })).status).toBe(200);
  });

  describe('internal procedures', () => {
    const internalOps = protectedOps.filter((o) => o.op.access === 'internal');
    const input = (name: string) =>
      encodeURIComponent(
        JSON.stringify(
          name.endsWith('usersByIds')
            ? { ids: [alice.id] }
            : name.endsWith('usersByUsernames')
              ? { usernames: [alice.username.toUpperCase()] }
              : { after: 0 },
        ),
      );

    it.each(internalOps.map((o) => [o.name] as const))(
      '%s refuses a user token, the gateway token and a guess',
      async (name) => {
        const refusals: Array<Record<string, string>> = [
          { authorization: `Bearer ${alice.token}` },
          { [INTERNAL_HEADER]: auth.gatewayToken },
          { [INTERNAL_HEADER]: auth.internalToken.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
          { [INTERNAL_HEADER]: '' },
        ];
        for (const headers of refusals)
          expect((await auth.api.get(`/trpc/${name}?input=${input(name)}`, { headers })).status).toBe(401);
      },
    );

    it('are not on any REST path', async () => {
      for (const o of internalOps)
        expect((await auth.api.get(`/${o.name.replace('.', '/')}`)).status).toBe(404);
    });

    const call = <T>(name: string, args: unknown) =>
      auth.api.get<{ result: { data: T } }>(
        `/trpc/internal.${name}?input=${encodeURIComponent(JSON.stringify(args))}`,
        {
          headers: { [INTERNAL_HEADER]: auth.internalToken },
        },
      );

    it('usersByIds and usersByUsernames work with the credential (names case-insensitive)', async () => {
      const byId = await call<Array<{ id: string; username: string }>>('usersByIds', {
        ids: [alice.id, SOME_USER_ID],
      });
      expect(byId.status).toBe(200);
      expect(byId.json.result.data).toEqual([{ id: alice.id, username: alice.username }]);
      const byName = await call('usersByUsernames', {
        usernames: [alice.username.toUpperCase(), 'nobody_here'],
      });
      expect(byName.json.result.data).toEqual([{ id: alice.id, username: alice.username }]);
    });

    it('revocationsSince reports a logout after the cursor', async () => {
      const before = await call<{ cursor: number }>('revocationsSince', { after: 0 });
      const cursor = before.json.result.data.cursor;
      const bob = await register(auth.api);
      expect((await auth.api.post('/auth/logout', { token: bob.token })).status).toBe(204);
      const after = await call<{ cursor: number; revoked: Array<{ user_id: string; session_id: string }> }>(
        'revocationsSince',
        { after: cursor },
      );
      expect(after.json.result.data.cursor).toBeGreaterThan(cursor);
      expect(after.json.result.data.revoked).toEqual([expect.objectContaining({ user_id: bob.id })]);
      const none = await call<{ cursor: number; revoked: unknown[] }>('revocationsSince', {
        after: after.json.result.data.cursor,
      });
      expect(none.json.result.data).toEqual({ cursor: after.json.result.data.cursor, revoked: [] });
    });
  });
});
