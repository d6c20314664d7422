/**
 * Authorization A8–A10 through the gateway, with the login limits set low on
 * purpose (testkit's default env raises them out of the way): 3 failures per
 * account and IP, blocks of 2 s, 12 login attempts per IP per window. "Another
 * IP" is another loopback source address; forwarding headers are the client's
 * own claims and must count for nothing.
 */
import { randomBytes } from 'node:crypto';
import {
  type Client,
  enginesUnderTest,
  eventually,
  expectStatus,
  type HttpResult,
  type TestUser,
  uniqueName,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf } from '../src/bad-credentials';
import { type FullStack, startFullStack } from '../src/full-stack';
import { freshLoopbackIp } from '../src/loopback';

const FAILS_PER_ACCOUNT_IP = 3;
const BLOCK_S = 2;
const LOGINS_PER_IP = 12;

/** Headers a client might send to claim another identity or another address. */
const spoofHeaders = (userId: string, ip: string): Record<string, string> => ({
  'x-user-id': userId,
  'x-lockbox-user': userId,
  'x-lockbox-user-id': userId,
  'x-forwarded-user': userId,
  'x-auth-user': userId,
  'x-remote-user': userId,
  'x-forwarded-for': ip,
  'x-real-ip': ip,
  forwarded: `for=${ip}`,
  'true-client-ip': ip,
  'x-lockbox-client-ip': ip,
  'x-lockbox-gateway': 'forged',
});

/** What a refusal says, minus the request id: two answers alike compare equal. */
const answerOf = (res: HttpResult) => {
  const { request_id: _id, ...error } = (res.json as { error: Record<string, unknown> }).error;
  return { status: res.status, error, retryAfter: res.headers['retry-after'] !== undefined };
};

const expect429 = (res: HttpResult, maxRetryAfter: number) => {
  expect(res.status, res.text.slice(0, 200)).toBe(429);
  expect(errorCodeOf(res.json)).toBe('rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
};

const engine = enginesUnderTest()[0] ?? 'pglite';

describe(`authorization limits on ${engine}`, () => {
  let lockbox: FullStack;
  let api: Client;
  beforeAll(async () => {
    lockbox = await startFullStack(engine, {
      serviceEnv: {
        auth: {
          RL_LOGIN_FAILS_PER_ACCOUNT_IP: String(FAILS_PER_ACCOUNT_IP),
          RL_LOGIN_BLOCK_S: String(BLOCK_S),
          RL_LOGIN_PER_IP: String(LOGINS_PER_IP),
          RL_LOGIN_WINDOW_S: '600',
        },
      },
    });
    api = lockbox.api;
  });
  afterAll(() => lockbox?.stack.stop());

  const login = (username: string, password: string, from: string, headers: Record<string, string> = {}) =>
    api.post('/auth/login', { body: { username, password }, localAddress: from, headers });

  describe('[A8] client-sent identity and address headers', () => {
    it('[A8] x-user-id and friends cannot change who you are; alone they are no credential', async () => {
      const [a, b] = await Promise.all([lockbox.user(), lockbox.user()]);
      const headers = spoofHeaders(b.id, '203.0.113.9');
      for (const path of ['/auth/me', '/trpc/auth.me']) {
        const me = await api.get<{ id: string; result?: { data: { id: string } } }>(path, {
          token: a.token,
          headers,
        });
        expect(me.status).toBe(200);
        expect(me.json.result?.data.id ?? me.json.id).toBe(a.id);
        const anonymous = await api.get(path, { headers });
        expect(anonymous.status).toBe(401);
        expect(errorCodeOf(anonymous.json)).toBe('unauthorized');
      }
      const sent = expectStatus<{ from_user_id: string; to_user_id: string }>(
        await api.post('/chat-requests/send', { token: a.token, headers, body: { to_user_id: b.id } }),
        201,
      );
      expect(sent).toMatchObject({ from_user_id: a.id, to_user_id: b.id });
      expect(
        (
          await api.get('/chat-requests/outgoing', {
            token: b.token,
            headers: spoofHeaders(a.id, '203.0.113.10'),
          })
        ).json,
      ).toEqual([]);
    });

    it('[A8] rotating X-Forwarded-For / X-Real-IP / Forwarded does not dodge the login limit', async () => {
      const victim = await lockbox.user();
      const attacker = freshLoopbackIp();
      const statuses: number[] = [];
      let last: HttpResult | undefined;
      for (let i = 0; i < FAILS_PER_ACCOUNT_IP + 2; i++) {
        last = await login(
          victim.username,
          'wrong-password',
          attacker,
          spoofHeaders(victim.id, `198.51.100.${i + 1}`),
        );
        statuses.push(last.status);
      }
      expect(statuses).toEqual([...Array(FAILS_PER_ACCOUNT_IP).fill(401), 429, 429]);
      expect429(last as HttpResult, BLOCK_S);
      // The block is on the attacker's real address only.
      expect((await login(victim.username, victim.password, freshLoopbackIp())).status).toBe(200);
    });
  });

  describe('[A9] brute force', () => {
    it('[A9] wrong passwords for one account → 429 with Retry-After, even for the right one; the owner is not locked out', async () => {
      const owner = await lockbox.user();
      const attacker = freshLoopbackIp();
      for (let i = 0; i < FAILS_PER_ACCOUNT_IP; i++)
        expect((await login(owner.username, 'wrong-password', attacker)).status).toBe(401);
      expect429(await login(owner.username, owner.password, attacker), BLOCK_S);
      // From anywhere else at once, and from that very address once the block is over.
      expect((await login(owner.username, owner.password, freshLoopbackIp())).status).toBe(200);
      const after = await eventually(
        async () => {
          const res = await login(owner.username, owner.password, attacker);
          return res.status === 429 ? undefined : res;
        },
        (BLOCK_S + 8) * 1000,
        600,
      );
      expect(after.status).toBe(200);
    });

    it(`[A9][A8] ${LOGINS_PER_IP} attempts from one IP across accounts (rotating X-Forwarded-For) → 429; other IPs unaffected`, async () => {
      const accounts = await Promise.all(Array.from({ length: 4 }, () => lockbox.user()));
      const names = [
        ...accounts.flatMap((a) => [a.username, a.username]),
        ...Array.from({ length: LOGINS_PER_IP - 2 * accounts.length }, () => uniqueName('nobody')),
      ];
      const sprayer = freshLoopbackIp();
      const spoof = (i: number) => ({
        'x-forwarded-for': `192.0.2.${i + 1}`,
        'x-real-ip': `192.0.2.${i + 1}`,
      });
      const statuses: number[] = [];
      for (const [i, name] of names.entries())
        statuses.push((await login(name, 'wrong-password', sprayer, spoof(i))).status);
      expect(statuses).toEqual(Array(LOGINS_PER_IP).fill(401));
      const owner = accounts[0] as TestUser;
      expect429(await login(owner.username, owner.password, sprayer, spoof(99)), 600);
      expect((await login(owner.username, owner.password, freshLoopbackIp())).status).toBe(200);
    });
  });

  describe('[A10] no user enumeration', () => {
    it('[A10] unknown user and wrong password: same status, code, message and body shape, up to and past the limit', async () => {
      const known = await lockbox.user();
      const unknown = uniqueName('ghost');
      const [ipKnown, ipUnknown] = [freshLoopbackIp(), freshLoopbackIp()];
      const knownAnswers: unknown[] = [];
      const unknownAnswers: unknown[] = [];
      for (let i = 0; i <= FAILS_PER_ACCOUNT_IP; i++) {
        knownAnswers.push(answerOf(await login(known.username, 'wrong-password', ipKnown)));
        unknownAnswers.push(answerOf(await login(unknown, 'wrong-password', ipUnknown)));
      }
      expect(unknownAnswers).toEqual(knownAnswers);
      expect(knownAnswers.map((a) => (a as { status: number }).status)).toEqual([
        ...Array(FAILS_PER_ACCOUNT_IP).fill(401),
        429,
      ]);
      expect((knownAnswers[0] as { error: unknown }).error).toEqual({
        code: 'invalid_credentials',
        message: expect.any(String),
      });
      // Over tRPC too.
      const trpc = async (username: string) => {
        const res = await api.post<{ error: { message: string; data: Record<string, unknown> } }>(
          '/trpc/auth.login',
          {
            body: { username, password: 'wrong-password' },
            localAddress: freshLoopbackIp(),
          },
        );
        const { request_id: _id, ...data } = res.json.error.data;
        return { status: res.status, message: res.json.error.message, data };
      };
      expect(await trpc(unknown)).toEqual(await trpc(known.username));
    });

    it('[A10] prelogin answers an unknown name like a real account (same shape, stable salt)', async () => {
      const curlUser = await lockbox.user();
      const kdf = {
        algorithm: 'argon2id',
        salt: randomBytes(16).toString('base64'),
        memory_kib: 65_536,
        iterations: 3,
        parallelism: 1,
      };
      const sdkName = uniqueName('sdk');
      expectStatus(
        await api.post('/auth/register', {
          body: { username: sdkName, password: 'sdk-login-secret-0123', client_kdf: kdf },
        }),
        201,
      );
      const prelogin = async (username: string) =>
        expectStatus<Record<string, unknown>>(await api.post('/auth/prelogin', { body: { username } }), 200);
      const shape = (answer: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(answer).map(([k, v]) => [
            k,
            k === 'salt' ? Buffer.from(String(v), 'base64').length : typeof v === 'number' ? 'number' : v,
          ]),
        );
      const ghost = uniqueName('ghost');
      const answers = {
        sdk: await prelogin(sdkName),
        curl: await prelogin(curlUser.username),
        unknown: await prelogin(ghost),
      };
      expect(answers.sdk).toEqual({ ...kdf, version: 1 });
      expect(shape(answers.unknown)).toEqual(shape(answers.sdk));
      expect(shape(answers.curl)).toEqual(shape(answers.sdk));
      // A current SDK registers KDF version 2 (salt bound to the name): unknown and curl names answer the same version.
      const boundName = uniqueName('sdk2');
      expectStatus(
        await api.post('/auth/register', {
          body: {
            username: boundName,
            password: 'sdk-login-secret-0123',
            client_kdf: { ...kdf, version: 2 },
          },
        }),
        201,
      );
      const bound = await prelogin(boundName);
      const { salt: _b, ...boundRest } = bound;
      for (const answer of [answers.unknown, answers.curl]) {
        const { salt: _s, ...rest } = answer;
        expect(rest).toEqual(boundRest);
      }
      // A per-call random salt would give an unknown name away: it is the same every time.
      expect(await prelogin(ghost)).toEqual(answers.unknown);
      expect(answers.unknown.salt).not.toBe(answers.curl.salt);
    });
  });
});
