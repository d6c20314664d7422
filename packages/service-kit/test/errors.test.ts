/** Error mapping: our codes keep their status, input errors read well, a lost database is 503 + Retry-After. */
import { TRPCError } from '@trpc/server';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openPostgres } from '../src/db/postgres';
import { AppError, describeError } from '../src/errors';
import { useToyService } from './helpers/toy-service';

describe('describeError', () => {
  it('keeps an AppError code, status, message and Retry-After', () => {
    const d = describeError(new AppError('rate_limited', 'slow down', { retryAfter: 9 }));
    expect(d).toMatchObject({ code: 'rate_limited', status: 429, message: 'slow down', retryAfter: 9 });
    expect(d.serverFault).toBe(false);
  });

  it('turns a zod input failure into 400 with the field and reason', () => {
    const parsed = z.object({ username: z.string().min(3, 'too short') }).safeParse({ username: 'a' });
    const err = new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    const d = describeError(err);
    expect(d).toMatchObject({ code: 'invalid_input', status: 400, message: 'username: too short' });
  });

  it.each([
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['too many connections', Object.assign(new Error('sorry'), { code: '53300' })],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['query unanswered (a stalled path)', new Error('Query read timeout')],
    [
      'nested cause',
      new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }),
    ],
  ])('a database that is unavailable (%s) is 503 with Retry-After', (_name, raw) => {
    const d = describeError(raw);
    expect(d).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(d.retryAfter).toBeGreaterThan(0);
    expect(d.message).not.toMatch(/ECONN|57P01|terminat/);
  });

  it('never echoes an unexpected error message', () => {
    const d = describeError(new Error('duplicate key value violates "users_pkey" password=hunter2'));
    expect(d).toMatchObject({ code: 'internal', status: 500, message: 'internal error', serverFault: true });
  });

  it('maps a plain tRPC code to ours', () => {
    expect(describeError(new TRPCError({ code: 'NOT_FOUND', message: 'gone' }))).toMatchObject({
      code: 'not_found',
      status: 404,
      message: 'gone',
    });
  });

  it('a real unreachable Postgres surfaces as 503', async () => {
    const db = await openPostgres('postgres://postgres@127.0.0.1:1/none', pino({ level: 'silent' }), 1);
    try {
      const err = await db.query('select 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeDefined();
      expect(describeError(err)).toMatchObject({ code: 'service_unavailable', status: 503 });
    } finally {
      await db.close();
    }
  });
});

describe('errors over HTTP', () => {
  const served = useToyService();

  type ErrorJson = { error: { code: string; message: string; request_id: string; retry_after?: number } };
  type TrpcErrorJson = { error: { message: string; data: { app_code: string; httpStatus: number } } };

  it.each([
    ['db', 503, 'service_unavailable', '2'],
    ['pg_shutdown', 503, 'service_unavailable', '2'],
    ['rate', 429, 'rate_limited', '7'],
  ])('REST: %s → %i %s with Retry-After %s', async (kind, status, code, retryAfter) => {
    const res = await served.api.get<ErrorJson>(`/fail?kind=${kind}`);
    expect(res.status).toBe(status);
    expect(res.headers['retry-after']).toBe(retryAfter);
    expect(res.json.error).toMatchObject({ code, retry_after: Number(retryAfter) });
    expect(res.json.error.request_id).toBe(res.headers['x-request-id']);
  });

  it('REST: an unexpected error is 500 "internal error", its message withheld', async () => {
    const res = await served.api.get<ErrorJson>('/fail?kind=boom');
    expect(res.status).toBe(500);
    expect(res.json.error).toMatchObject({ code: 'internal', message: 'internal error' });
    expect(res.text).not.toMatch(/hunter2|secret internals/);
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('tRPC: the same mapping, with the status in data and Retry-After as a header', async () => {
    const res = await served.api.get<TrpcErrorJson>(
      `/trpc/fail?input=${encodeURIComponent('{"kind":"db"}')}`,
    );
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json.error.data).toMatchObject({ app_code: 'service_unavailable', httpStatus: 503 });
    const conflict = await served.api.get<TrpcErrorJson>(
      `/trpc/fail?input=${encodeURIComponent('{"kind":"conflict"}')}`,
    );
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({ message: 'it changed', data: { app_code: 'conflict' } });
  });

  it('keeps a sane client request id and replaces a hostile one', async () => {
    const kept = await served.api.get('/context', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    for (const hostile of ['x'.repeat(65), 'a b', 'a"b', '../x']) {
      const replaced = await served.api.get('/context', { headers: { 'x-request-id': hostile } });
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
