/**
 * Brute force, enumeration and spoofed headers (RELIABILITY authorization 8–10),
 * with small limits: 3 failures per account and IP, blocks of 2 s, 3 sign-ups
 * per IP. Different client IPs are different loopback source addresses.
 */
import { CLIENT_IP_HEADER, GATEWAY_HEADER } from '@lockbox/service-kit';
import { enginesUnderTest, eventually } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import { type Account, type ErrorJson, errorShape, login, register, uniqueUsername } from './helpers/users';

const FAILS = 3;
const BLOCK_S = 2;
const REGISTER_PER_IP = 3;

/** A fresh loopback address per call: 127.0.<n>.<m>, so each test's IPs are its own. */
let ipCounter = 0;
const newIp = () => {
  ipCounter++;
  return `127.0.${1 + Math.floor(ipCounter / 250)}.${1 + (ipCounter % 250)}`;
};

describe.each(enginesUnderTest())('limits on %s', (engine) => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth(engine, {
      RL_LOGIN_FAILS_PER_ACCOUNT_IP: String(FAILS),
      RL_LOGIN_FAILS_PER_ACCOUNT: '8',
      RL_LOGIN_BLOCK_S: String(BLOCK_S),
      RL_LOGIN_WINDOW_S: '600',
      RL_REGISTER_PER_IP: String(REGISTER_PER_IP),
    });
  });
  afterAll(() => auth?.close());

  const user = () => register(auth.api, { from: newIp() });
  const attempt = (
    a: { username: string },
    password: string,
    from: string,
    headers: Record<string, string> = {},
  ) => login(auth.api, a.username, password, { localAddress: from, headers });

  const expect429 = (res: { status: number; headers: Record<string, unknown>; json: ErrorJson }) => {
    expect(res.status).toBe(429);
    expect(res.json.error.code).toBe('rate_limited');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(BLOCK_S);
    expect(res.json.error.retry_after).toBe(retryAfter);
  };

  describe('brute force on one account', () => {
    let victim: Account;
    const attacker = newIp();
    beforeAll(async () => {
      victim = await user();
    });

    it(`${FAILS} wrong passwords from one IP, then 429 with Retry-After, even for the right password`, async () => {
      for (let i = 0; i < FAILS; i++)
        expect((await attempt(victim, 'wrong-password', attacker)).status).toBe(401);
      expect429(await attempt(victim, 'wrong-password', attacker));
      expect429(await attempt(victim, victim.password, attacker));
    });

    it('does not lock the owner out from another IP', async () => {
      const res = await attempt(victim, victim.password, newIp());
      expect(res.status).toBe(200);
      expect(res.json.user.id).toBe(victim.id);
    });

    it('spoofed forwarding headers do not lift the block', async () => {
      const spoofs: Array<Record<string, string>> = [
        { 'x-forwarded-for': '198.51.100.7' },
        { 'x-real-ip': '198.51.100.7' },
        { [CLIENT_IP_HEADER]: '198.51.100.7' },
        { [CLIENT_IP_HEADER]: '198.51.100.7', [GATEWAY_HEADER]: 'forged' },
      ];
      for (const headers of spoofs)
        expect((await attempt(victim, victim.password, attacker, headers)).status).toBe(429);
    });

    it('lets the owner in from the blocked IP once the block expires', async () => {
      const res = await eventually(
        async () => {
          const r = await attempt(victim, victim.password, attacker);
          if (r.status === 429) return undefined; // checking while blocked counts no failure
          return r;
        },
        (BLOCK_S + 8) * 1000,
        250,
      );
      expect(res.status).toBe(200);
    });

    it('a success clears that IP’s failures', async () => {
      const a = await user();
      const ip = newIp();
      for (let i = 0; i < FAILS - 1; i++) expect((await attempt(a, 'nope-nope', ip)).status).toBe(401);
      expect((await attempt(a, a.password, ip)).status).toBe(200);
      for (let i = 0; i < FAILS - 1; i++) expect((await attempt(a, 'nope-nope', ip)).status).toBe(401);
      expect((await attempt(a, a.password, ip)).status).toBe(200);
    });
  });

  describe('distributed guessing', () => {
    it('failures from many IPs block the account everywhere for a while, then it opens again', async () => {
      const a = await user();
      // 8 failures per account from anywhere: 4 IPs × 2 stays under the per-IP limit of 3.
      for (let i = 0; i < 4; i++) {
        const ip = newIp();
        for (let j = 0; j < 2; j++) expect((await attempt(a, 'guess-guess', ip)).status).toBe(401);
      }
      expect429(await attempt(a, a.password, newIp()));
      const res = await eventually(
        async () => {
          const r = await attempt(a, a.password, newIp());
          return r.status === 429 ? undefined : r;
        },
        (BLOCK_S + 8) * 1000,
        250,
      );
      expect(res.status).toBe(200);
    });
  });

  describe('no enumeration', () => {
    it('an unknown name and a wrong password answer alike, through the limit too', async () => {
      const a = await user();
      const ghost = { username: uniqueUsername('ghost') };
      const [ipA, ipB] = [newIp(), newIp()];
      const known: Array<unknown> = [];
      const unknown: Array<unknown> = [];
      for (let i = 0; i <= FAILS; i++) {
        const k = await attempt(a, 'wrong-password', ipA);
        const u = await attempt(ghost, 'wrong-password', ipB);
        known.push([k.status, errorShape(k.json)]);
        unknown.push([u.status, errorShape(u.json)]);
      }
      expect(unknown).toEqual(known);
      expect(known.map((k) => (k as [number])[0])).toEqual([...Array(FAILS).fill(401), 429]);
    });
  });

  describe('register per IP', () => {
    it(`allows ${REGISTER_PER_IP} sign-ups from one IP, then 429 with Retry-After`, async () => {
      const ip = newIp();
      for (let i = 0; i < REGISTER_PER_IP; i++) await register(auth.api, { from: ip });
      const res = await auth.api.post<ErrorJson>('/auth/register', {
        body: { username: uniqueUsername(), password: 'long enough' },
        localAddress: ip,
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(
        (
          await auth.api.post('/auth/register', {
            body: { username: uniqueUsername(), password: 'long enough' },
            localAddress: newIp(),
          })
        ).status,
      ).toBe(201);
    });

    it('client-sent forwarding headers cannot dodge the per-IP limit', async () => {
      const ip = newIp();
      const statuses: number[] = [];
      for (let i = 0; i < REGISTER_PER_IP + 2; i++) {
        const spoof = `203.0.113.${i + 1}`;
        const res = await auth.api.post('/auth/register', {
          body: { username: uniqueUsername(), password: 'long enough' },
          localAddress: ip,
          headers: {
            'x-forwarded-for': spoof,
            'x-real-ip': spoof,
            forwarded: `for=${spoof}`,
            [CLIENT_IP_HEADER]: spoof,
            [GATEWAY_HEADER]: auth.gatewayToken.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
          },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(REGISTER_PER_IP).fill(201), 429, 429]);
    });

    it('control: the gateway, proving itself, does name the client IP', async () => {
      const ip = newIp();
      const statuses: number[] = [];
      for (let i = 0; i < REGISTER_PER_IP + 2; i++) {
        const res = await auth.api.post('/auth/register', {
          body: { username: uniqueUsername(), password: 'long enough' },
          localAddress: ip,
          headers: { [CLIENT_IP_HEADER]: `203.0.113.${100 + i}`, [GATEWAY_HEADER]: auth.gatewayToken },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual(Array(REGISTER_PER_IP + 2).fill(201));
    });
  });

  describe('identity from the token only', () => {
    it('x-user-id and friends change nothing', async () => {
      const [a, b] = [await user(), await user()];
      for (const name of ['x-user-id', 'x-lockbox-user-id', 'x-forwarded-user', 'x-auth-user']) {
        const res = await auth.api.get<{ id: string }>('/auth/me', {
          token: a.token,
          headers: { [name]: b.id },
        });
        expect(res.json.id).toBe(a.id);
        expect((await auth.api.get('/auth/me', { headers: { [name]: b.id } })).status).toBe(401);
      }
    });
  });
});
