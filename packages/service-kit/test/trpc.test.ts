/** The procedure ladder (public/user/internal), the gateway's word for the client IP, implement() and the internal client. */
import type { ContractRouter } from '@lockbox/contracts';
import { mutation } from '@lockbox/contracts';
import { TRPCClientError } from '@trpc/client';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CLIENT_IP_HEADER, GATEWAY_HEADER, INTERNAL_HEADER } from '../src/internal-auth';
import { createInternalClient, reachedNoInstance } from '../src/internal-client';
import { implement } from '../src/trpc';
import {
  startToyService,
  toyContract,
  toyCredentials,
  toyRouter,
  useToyService,
} from './helpers/toy-service';

const served = useToyService();

describe('access', () => {
  it('a user procedure needs a valid bearer token (401 before input is even read)', async () => {
    expect((await served.api.get('/whoami')).status).toBe(401);
    expect((await served.api.get('/whoami', { token: 'bad' })).status).toBe(401);
    expect((await served.api.get('/whoami?junk=1')).status).toBe(401);
    const ok = await served.api.get('/whoami', { token: 'good-token' });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ id: 'usr_toy' });
  });

  it('a 20 KB bearer token reaches the token check (401); 40 KB of headers is refused (431)', async () => {
    expect((await served.api.get('/whoami', { token: 'x'.repeat(20 * 1024) })).status).toBe(401);
    expect((await served.api.get('/whoami', { token: 'x'.repeat(40 * 1024) })).status).toBe(431);
    expect((await served.api.get('/whoami', { token: 'good-token' })).status).toBe(200);
  });

  it('an internal procedure needs the internal credential; the gateway token is not it', async () => {
    expect((await served.api.get('/trpc/secret')).status).toBe(401);
    expect((await served.api.get('/trpc/secret', { headers: { [INTERNAL_HEADER]: 'guess' } })).status).toBe(
      401,
    );
    expect(
      (await served.api.get('/trpc/secret', { headers: { [INTERNAL_HEADER]: toyCredentials.gatewayToken } }))
        .status,
    ).toBe(401);
    expect((await served.api.get('/trpc/secret', { token: 'good-token' })).status).toBe(401);
    const ok = await served.api.get('/trpc/secret', {
      headers: { [INTERNAL_HEADER]: toyCredentials.internalToken },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ result: { data: { ok: true } } });
  });
});

describe('client address', () => {
  const ipOf = async (headers: Record<string, string>, localAddress?: string) =>
    (
      await served.api.get<{ clientIp: string; internal: boolean }>('/context', {
        headers,
        ...(localAddress ? { localAddress } : {}),
      })
    ).json.clientIp;

  it('is the socket address; client-sent forwarding headers change nothing', async () => {
    expect(await ipOf({}, '127.0.0.7')).toBe('127.0.0.7');
    expect(
      await ipOf(
        { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9', [CLIENT_IP_HEADER]: '203.0.113.9' },
        '127.0.0.7',
      ),
    ).toBe('127.0.0.7');
    expect(await ipOf({ [CLIENT_IP_HEADER]: '203.0.113.9', [GATEWAY_HEADER]: 'forged' }, '127.0.0.7')).toBe(
      '127.0.0.7',
    );
  });

  it("is the gateway's word when the gateway proves itself", async () => {
    expect(
      await ipOf({ [CLIENT_IP_HEADER]: '203.0.113.9', [GATEWAY_HEADER]: toyCredentials.gatewayToken }),
    ).toBe('203.0.113.9');
  });
});

describe('implement', () => {
  it('refuses a contract operation without a handler', () => {
    const contract = {
      a: {
        b: mutation({ access: 'public', summary: 'x', input: z.null(), output: z.null() }),
      },
    };
    expect(() => implement(contract, { a: {} } as never)).toThrow(/no handler for a\.b/);
  });

  it('carries access, summary and REST route as procedure meta', () => {
    const procedures = (
      toyRouter as unknown as { _def: { procedures: Record<string, { _def: { meta: unknown } }> } }
    )._def.procedures;
    expect(procedures.item?._def.meta).toEqual({
      access: 'public',
      summary: toyContract.item.summary,
      rest: { method: 'GET', path: '/items/{id}' },
    });
    expect(procedures.secret?._def.meta).toEqual({ access: 'internal', summary: toyContract.secret.summary });
  });
});

describe('createInternalClient', () => {
  it('calls internal procedures with the credential, typed by the contract', async () => {
    const internal = createInternalClient<ContractRouter<typeof toyContract>>({
      urls: [served.toy.url],
      internalToken: toyCredentials.internalToken,
    });
    expect(await internal.secret.query()).toEqual({ ok: true });
    expect(await internal.create.mutate({ name: 'n' })).toEqual({ name: 'n' });
  });

  it('rotates calls over the instances', async () => {
    const second = await startToyService();
    try {
      const internal = createInternalClient<ContractRouter<typeof toyContract>>({
        urls: [served.toy.url, second.url],
        internalToken: toyCredentials.internalToken,
      });
      const before = [served.toy.observed.length, second.observed.length];
      for (let i = 0; i < 4; i++) await internal.secret.query();
      expect(served.toy.observed.length - (before[0] as number)).toBe(2);
      expect(second.observed.length - (before[1] as number)).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('sends a call an instance refused (a dead one) to the next instance', async () => {
    const dead = await startToyService();
    await dead.close();
    const internal = createInternalClient<ContractRouter<typeof toyContract>>({
      urls: [dead.url, served.toy.url],
      internalToken: toyCredentials.internalToken,
    });
    for (let i = 0; i < 4; i++)
      expect(await internal.create.mutate({ name: `n${i}` })).toEqual({ name: `n${i}` });
  });

  it('moves on only for errors that prove nothing was sent (refused, unreachable, connect timeout)', () => {
    expect(reachedNoInstance(new errors.ConnectTimeoutError())).toBe(true);
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'])
      expect(reachedNoInstance(Object.assign(new Error(code), { code }))).toBe(true);
    expect(reachedNoInstance(new TypeError('fetch failed', { cause: { code: 'EHOSTUNREACH' } }))).toBe(true);
    // The request may have reached the instance: a mutation must not be sent a second time.
    expect(reachedNoInstance(new errors.HeadersTimeoutError())).toBe(false);
    expect(reachedNoInstance(new errors.SocketError('other side closed'))).toBe(false);
    expect(reachedNoInstance(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
  });

  it('surfaces a refused call as an error', async () => {
    const outsider = createInternalClient<ContractRouter<typeof toyContract>>({
      urls: [served.toy.url],
      internalToken: 'wrong',
    });
    await expect(outsider.secret.query()).rejects.toThrow(/credential/);
  });

  it("sends a query's input in the URL and throws tRPC's client error with the answer's shape", async () => {
    const internal = createInternalClient<ContractRouter<typeof toyContract>>({
      urls: [served.toy.url],
      internalToken: toyCredentials.internalToken,
    });
    expect(await internal.context.query({})).toEqual({ clientIp: '127.0.0.1', internal: true });
    const err = await internal.fail.query({ kind: 'conflict' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<never>).message).toBe('it changed');
    expect((err as TRPCClientError<never>).data).toMatchObject({ app_code: 'conflict', httpStatus: 409 });
  });
});
