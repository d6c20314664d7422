/**
 * The request-scoped logger: made only when something logs, and then bound to
 * the request id, the (masked) path and, for user procedures, the user.
 */
import pino from 'pino';
import { beforeEach, expect, it } from 'vitest';
import { useToyService } from './helpers/toy-service';

const lines: Array<Record<string, unknown>> = [];
const served = useToyService({
  log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
});
beforeEach(() => {
  lines.length = 0;
});

it("a user handler's log line carries the request id, the path and the user", async () => {
  const res = await served.api.get('/whoami', {
    token: 'good-token',
    headers: { 'x-request-id': 'req-log-1' },
  });
  expect(res.status).toBe(200);
  expect(res.headers['x-request-id']).toBe('req-log-1');
  expect(lines).toEqual([
    expect.objectContaining({ msg: 'whoami', requestId: 'req-log-1', path: '/whoami', userId: 'usr_toy' }),
  ]);
});

it('a generated request id is answered and logged; a server fault logs it with the path', async () => {
  const res = await served.api.get('/fail?kind=boom');
  expect(res.status).toBe(500);
  const id = res.headers['x-request-id'];
  expect(id).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  expect(lines.map((l) => [l.msg, l.requestId, l.path])).toEqual([
    ['request failed', id, '/fail'],
    ['request answered 5xx', id, '/fail'],
  ]);
});

it('an invalid incoming request id is replaced; requests that log nothing write nothing', async () => {
  const res = await served.api.get('/context', { headers: { 'x-request-id': 'bad id with spaces' } });
  expect(res.status).toBe(200);
  expect(res.headers['x-request-id']).not.toBe('bad id with spaces');
  expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  expect(lines).toEqual([]);
});
