/**
 * The access ladder cannot drift between the two ways into a procedure: the
 * HTTP fast path (its direct call, over both wire forms) and the tRPC
 * procedure with its middlewares (as `createCaller` and tRPC clients reach
 * it). Every access level meets every kind of credential on both, and both
 * must answer the same status and code.
 */
import type { IncomingMessage } from 'node:http';
import type { AnyTRPCRouter } from '@trpc/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/errors';
import { requestContextOf } from '../src/http/request';
import { INTERNAL_HEADER } from '../src/internal-auth';
import { toyAuthenticate, toyCredentials, toyRouter, useToyService } from './helpers/toy-service';

const CREDENTIALS: Record<string, Record<string, string>> = {
  none: {},
  'user token': { authorization: 'Bearer good-token' },
  'revoked token': { authorization: 'Bearer revoked-token' },
  'bad token': { authorization: 'Bearer forged' },
  'internal token': { [INTERNAL_HEADER]: toyCredentials.internalToken },
  'bad internal token': { [INTERNAL_HEADER]: 'guess' },
  'gateway token as internal': { [INTERNAL_HEADER]: toyCredentials.gatewayToken },
};

/** One toy procedure per access level, and its REST path when it has one (internal ones never do). */
const PROCEDURES = {
  public: { name: 'context', rest: '/context' },
  user: { name: 'whoami', rest: '/whoami' },
  internal: { name: 'secret', rest: undefined },
} as const;

const ADMITTED: Record<keyof typeof PROCEDURES, string[]> = {
  public: Object.keys(CREDENTIALS),
  user: ['user token'],
  internal: ['internal token'],
};

interface Answer {
  status: number;
  code: string;
}

const served = useToyService();

/** Through the HTTP server's tRPC wire form (the direct call). */
const viaTrpcWire = async (name: string, headers: Record<string, string>): Promise<Answer> => {
  const res = await served.api.get<{ error?: { data: { app_code: string } } }>(`/trpc/${name}`, { headers });
  return { status: res.status, code: res.json.error?.data.app_code ?? 'ok' };
};

/** Through the HTTP server's REST form (the direct call). */
const viaRest = async (path: string, headers: Record<string, string>): Promise<Answer> => {
  const res = await served.api.get<{ error?: { code: string } }>(path, { headers });
  return { status: res.status, code: res.json.error?.code ?? 'ok' };
};

/** Through the tRPC procedure and its middlewares, with the context the server would have built. */
const viaTrpcProcedure = async (name: string, headers: Record<string, string>): Promise<Answer> => {
  const req = { headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
  const ctx = requestContextOf(req, 'req-access', `/trpc/${name}`, {
    credentials: toyCredentials,
    authenticate: toyAuthenticate,
    log: pino({ level: 'silent' }),
  });
  const caller = (toyRouter as AnyTRPCRouter).createCaller(ctx) as Record<string, () => Promise<unknown>>;
  try {
    await caller[name]?.();
    return { status: 200, code: 'ok' };
  } catch (err) {
    const d = describeError(err);
    return { status: d.status, code: d.code };
  }
};

describe.each(Object.entries(PROCEDURES))('a %s procedure', (access, procedure) => {
  it.each(Object.keys(CREDENTIALS))('answers alike on every path with %s', async (credential) => {
    const headers = CREDENTIALS[credential] as Record<string, string>;
    const admitted = ADMITTED[access as keyof typeof PROCEDURES].includes(credential);
    const expected: Answer = admitted ? { status: 200, code: 'ok' } : { status: 401, code: 'unauthorized' };
    expect(await viaTrpcProcedure(procedure.name, headers)).toEqual(expected);
    expect(await viaTrpcWire(procedure.name, headers)).toEqual(expected);
    if (procedure.rest) expect(await viaRest(procedure.rest, headers)).toEqual(expected);
  });
});
