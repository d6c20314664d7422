/**
 * `GET /auth/sessions` (tRPC `auth.sessions`), through the real gateway and
 * auth processes: the gateway routes it, and /openapi.json documents it, with
 * no edit to the gateway, because both are derived from the contract.
 */
import type { TActiveSession, TSessionResponse } from '@lockbox/contracts';
import { type Client, client, enginesUnderTest, type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type ErrorJson, login, register } from './helpers/users';

describe.each(enginesUnderTest())('GET /auth/sessions through the gateway on %s', (engine) => {
  let stack: Stack;
  let api: Client;
  beforeAll(async () => {
    stack = await startStack({ engine, services: ['auth'] });
    api = client(stack.gatewayUrl);
  });
  afterAll(() => stack?.stop());

  const sessionsOf = (token: string) => api.get<TActiveSession[] & ErrorJson>('/auth/sessions', { token });
  const secondLogin = async (a: Account) => {
    const res = await login(api, a.username, a.password);
    expect(res.status).toBe(200);
    return res.json as TSessionResponse;
  };

  it('lists both sessions of two logins, marks the asking one current, and shows no token material', async () => {
    const alice = await register(api);
    const second = await secondLogin(alice);
    const res = await sessionsOf(alice.token);
    expect(res.status).toBe(200);
    expect(res.json).toHaveLength(2);
    for (const s of res.json) {
      expect(Object.keys(s).sort()).toEqual(['created_at', 'current', 'expires_at', 'id']);
      expect(s.id).toMatch(/^ses_/);
      expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.parse(s.created_at));
    }
    expect(res.json.filter((s) => s.current)).toHaveLength(1);
    const fromSecond = await sessionsOf(second.access_token);
    expect(fromSecond.json.map((s) => s.id).sort()).toEqual(res.json.map((s) => s.id).sort());
    // Each token marks its own session: the two answers disagree on which is current.
    expect(fromSecond.json.find((s) => s.current)?.id).not.toBe(res.json.find((s) => s.current)?.id);
    const text = JSON.stringify([res.json, fromSecond.json]);
    for (const secret of [alice.token, alice.refreshToken, second.access_token, second.refresh_token])
      expect(text).not.toContain(secret);
  });

  it("never lists another user's sessions", async () => {
    const [alice, bob] = [await register(api), await register(api)];
    await secondLogin(bob);
    const mine = (await sessionsOf(alice.token)).json.map((s) => s.id);
    const theirs = (await sessionsOf(bob.token)).json.map((s) => s.id);
    expect(mine).toHaveLength(1);
    expect(theirs).toHaveLength(2);
    expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
  });

  it('refuses a caller without a valid token (401)', async () => {
    for (const token of [undefined, 'not.a.jwt']) {
      const res = await api.get<ErrorJson>('/auth/sessions', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    }
  });

  it('a logged-out session disappears from the list', async () => {
    const alice = await register(api);
    const second = await secondLogin(alice);
    expect((await sessionsOf(alice.token)).json).toHaveLength(2);
    expect((await api.post('/auth/logout', { token: second.access_token })).status).toBe(204);
    const left = (await sessionsOf(alice.token)).json;
    expect(left).toHaveLength(1);
    expect(left[0]?.current).toBe(true);
  });

  it('answers over tRPC as auth.sessions and is in /openapi.json', async () => {
    const alice = await register(api);
    const trpc = await api.get<{ result: { data: TActiveSession[] } }>('/trpc/auth.sessions', {
      token: alice.token,
    });
    expect(trpc.status).toBe(200);
    expect(trpc.json.result.data).toEqual([expect.objectContaining({ current: true })]);
    const doc = await api.get<{ paths: Record<string, Record<string, { operationId: string }>> }>(
      '/openapi.json',
    );
    expect(doc.json.paths['/auth/sessions']?.get?.operationId).toBe('auth.sessions');
  });
});
