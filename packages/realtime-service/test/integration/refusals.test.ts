/**
 * Every way to be refused at the upgrade (no `101`, no socket held), and the
 * internal procedures nobody outside can reach.
 */
import { client, mustOpen, openSocket, type Refused } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalCall, type RealtimeStack, startRealtime } from '../helpers/stack';

const refusal = async (p: ReturnType<typeof openSocket>): Promise<Refused> => {
  const r = await p;
  if (!('refused' in r)) {
    r.close();
    throw new Error('the upgrade was accepted');
  }
  return r;
};

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('refused at the upgrade', () => {
  let rt: RealtimeStack;
  beforeAll(async () => {
    rt = await startRealtime('pglite', { serviceEnv: { realtime: { RT_MAX_SOCKETS_PER_USER: '3' } } });
  });
  afterAll(async () => {
    await rt?.stack.stop();
  });

  it('no token → 401', async () => {
    const r = await refusal(openSocket(rt.stack.gatewayUrl));
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('unauthorized');
  });

  it('a bad, forged or wrong-kind token → 401 (query and subprotocol alike)', async () => {
    const user = await rt.user();
    const [header, payload] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    const forged = [
      'not-a-token',
      `${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
      `${header}.${b64url({ ...claims, sub: 'usr_0000000000000000000000000z' })}.${user.token.split('.')[2]}`,
      user.refreshToken,
      'x'.repeat(3_000),
    ];
    for (const token of forged) {
      for (const viaProtocol of [false, true]) {
        const r = await refusal(openSocket(rt.stack.gatewayUrl, { token, viaProtocol }));
        expect([r.status, r.body.error?.code], token.slice(0, 20)).toEqual([401, expect.any(String)]);
      }
    }
    // A 20 KB token: the gateway's header limit answers 431; the service itself refuses it unread (401).
    const huge = 'x'.repeat(20_000);
    expect([401, 431]).toContain((await refusal(openSocket(rt.stack.gatewayUrl, { token: huge }))).status);
    expect((await refusal(openSocket(rt.stack.get('realtime').url, { token: huge }))).status).toBe(401);
  });

  it("someone else's user id in the path → 403", async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    const r = await refusal(openSocket(rt.stack.gatewayUrl, { token: alice.token, pathUserId: bob.id }));
    expect(r.status).toBe(403);
    const bad = await refusal(openSocket(rt.stack.gatewayUrl, { token: alice.token, pathUserId: 'admin' }));
    expect(bad.status).toBe(400);
  });

  it('a disallowed Origin → 403, at the gateway and at the service itself', async () => {
    const alice = await rt.user();
    const viaGateway = await refusal(
      openSocket(rt.stack.gatewayUrl, { token: alice.token, origin: 'https://evil.example' }),
    );
    expect(viaGateway.status).toBe(403);
    const direct = await refusal(
      openSocket(rt.stack.get('realtime').url, { token: alice.token, origin: 'https://evil.example' }),
    );
    expect(direct.status).toBe(403);
    // The allowed origin and no origin (a non-browser client) both work.
    (await mustOpen(rt.stack.gatewayUrl, { token: alice.token, origin: 'http://localhost:8000' })).close();
    (await mustOpen(rt.stack.gatewayUrl, { token: alice.token })).close();
  });

  it('more sockets than the per-user cap → 429', async () => {
    const alice = await rt.user();
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await mustOpen(rt.stack.gatewayUrl, { token: alice.token }));
    const r = await refusal(openSocket(rt.stack.gatewayUrl, { token: alice.token }));
    expect(r.status).toBe(429);
    for (const s of open) s.close();
  });

  it('internal procedures are not reachable through the gateway, and refuse calls without the credential', async () => {
    const api = client(rt.stack.gatewayUrl);
    for (const path of [
      '/trpc/internal.connections',
      '/trpc/internal.deliver',
      '/trpc/internal.broadcast',
      '/connections',
      '/broadcast',
    ]) {
      const res =
        path.includes('deliver') || path.includes('broadcast')
          ? await api.post(path, { body: {} })
          : await api.get(path);
      // 404/405, or (for a GET the web app's client-side routes catch) the web app's page: never realtime's data.
      const servedWebApp = res.status === 200 && String(res.headers['content-type']).startsWith('text/html');
      expect(servedWebApp || [404, 405].includes(res.status), `${path} → ${res.status}`).toBe(true);
      expect(res.text).not.toContain('"sockets"');
    }
    const direct = client(rt.stack.get('realtime').url);
    expect((await direct.get('/trpc/internal.connections')).status).toBe(401);
    expect(
      (
        await direct.post('/trpc/internal.broadcast', {
          body: { event: { type: 'notice', data: { message: 'x' } } },
        })
      ).status,
    ).toBe(401);
    const withCredential = await internalCall(
      rt,
      rt.stack.get('realtime').url,
      'GET',
      'internal.connections',
    );
    expect(withCredential.status).toBe(200);
    expect((withCredential.json as { result: { data: { fan_out: string } } }).result.data).toMatchObject({
      instance: 'realtime',
      sockets: expect.any(Number),
    });
  });

  it('internal.deliverMany hands each event to its own recipients in one call', async () => {
    const [alice, bob] = [await rt.user(), await rt.user()];
    const [a, b] = [
      await mustOpen(rt.stack.gatewayUrl, { token: alice.token }),
      await mustOpen(rt.stack.gatewayUrl, { token: bob.token }),
    ];
    const receipt = (reader: string) => ({
      type: 'receipt',
      data: {
        conversation_id: 'cnv_0000000000000000000000000a',
        reader_id: reader,
        up_to: 1,
        read_at: 'now',
      },
    });
    const res = await internalCall(rt, rt.stack.get('realtime').url, 'POST', 'internal.deliverMany', {
      deliveries: [
        { recipients: [alice.id], event: receipt(bob.id) },
        { recipients: [bob.id], event: receipt(alice.id) },
      ],
    });
    expect(res.status).toBe(200);
    await a.waitFor((x) => x.ofType('receipt').length === 1);
    await b.waitFor((x) => x.ofType('receipt').length === 1);
    expect(a.ofType('receipt')[0]?.data.reader_id).toBe(bob.id);
    expect(b.ofType('receipt')[0]?.data.reader_id).toBe(alice.id);
    a.close();
    b.close();
  });

  it('a broadcast notice (internal) reaches every open socket', async () => {
    const alice = await rt.user();
    const s = await mustOpen(rt.stack.gatewayUrl, { token: alice.token });
    const res = await internalCall(rt, rt.stack.get('realtime').url, 'POST', 'internal.broadcast', {
      event: { type: 'notice', data: { message: 'maintenance at noon' } },
    });
    expect(res.status).toBe(200);
    await s.waitFor((x) => x.ofType('notice').length === 1);
    expect(s.ofType('notice')[0]).toEqual({ type: 'notice', data: { message: 'maintenance at noon' } });
    s.close();
  });
});
