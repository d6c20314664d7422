/** The real gateway and auth service as processes (testkit), talked to only through the gateway. */
import { client, openSocket, registerUser, type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Session {
  access_token: string;
  refresh_token: string;
  user: { id: string; username: string };
}

describe('gateway in front of the real auth service', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ services: ['auth'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the process serves /metrics on its admin listener (loopback) and not on the public port; /v1 works', async () => {
    const gw = stack.get('gateway');
    const admin = await client(gw.adminUrl as string).get('/metrics');
    expect(admin.status).toBe(200);
    expect(admin.text).toContain('lockbox_gateway_request_duration_seconds');
    expect((await client(gw.adminUrl as string).get('/health')).status).toBe(200);
    expect((await client(stack.gatewayUrl).get('/metrics')).status).toBe(404);
    const jwks = await client(stack.gatewayUrl).get('/v1/auth/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.json).toEqual((await client(stack.gatewayUrl).get('/auth/.well-known/jwks.json')).json);
  });

  it('register, login and me work through the gateway', async () => {
    const api = client(stack.gatewayUrl);
    const username = `gw_${Date.now().toString(36)}`;
    const password = 'correct horse battery';

    const registered = await api.post<Session>('/auth/register', { body: { username, password } });
    expect(registered.status).toBe(201);
    expect(registered.json.user.username).toBe(username);
    expect(registered.headers['x-request-id']).toEqual(expect.any(String));

    const login = await api.post<Session>('/auth/login', { body: { username, password } });
    expect(login.status).toBe(200);

    const me = await api.get<{ id: string; username: string }>('/auth/me', {
      token: login.json.access_token,
    });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ id: registered.json.user.id, username });

    // A forged identity header changes nothing.
    const spoofed = await api.get('/auth/me', { headers: { 'x-user-id': registered.json.user.id } });
    expect(spoofed.status).toBe(401);
  });

  it('reports the stack healthy, and the original README curl gets a clear answer', async () => {
    const api = client(stack.gatewayUrl);
    const health = await api.get<{ status: string; services: Record<string, { status: string }> }>('/health');
    expect(health.status).toBe(200);
    expect(health.json.services.auth?.status).toBe('up');
    expect(health.json.services.messages?.status).toBe('disabled');

    const short = await api.post('/auth/register', { body: { username: 'test', password: 'test123' } });
    expect(short.status).toBe(400);
    expect(short.json).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringMatching(/password/) },
    });
  });

  it('keeps internal procedures unreachable', async () => {
    const res = await client(stack.gatewayUrl).post('/trpc/internal.userById', { body: { id: 'usr_x' } });
    expect(res.status).toBe(404);
  });
});

describe('gateway in front of two real realtime instances, one SIGKILLed', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The default health interval (2 s): right after the kill the gateway has not probed yet.
    stack = await startStack({
      services: ['auth', 'messages', 'realtime'],
      instances: { realtime: 2 },
      gatewayEnv: { RL_GATEWAY_PER_IP: '0' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('every upgrade right after the kill opens, on the live instance', async () => {
    const user = await registerUser(client(stack.gatewayUrl), 'gwws');
    await stack.get('realtime-1').kill('SIGKILL');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await openSocket(stack.gatewayUrl, { token: user.token }));
    expect(answers.map((s) => ('refused' in s ? s.status : 101))).toEqual(Array(6).fill(101));
    for (const s of answers) if (!('refused' in s)) s.close();
  });
});
