/**
 * What a fault may look like from outside: a 5xx from the gateway's short
 * list (502 bad gateway, 503 unavailable, 504 timeout) with the JSON error
 * body every LockBox error has, and `Retry-After` on a 503. Anything else —
 * a 500, an HTML page, a hang, a dropped connection — fails the test.
 */
import type { HttpResult, Refused } from '@lockbox/testkit';
import { expect } from 'vitest';

export type FaultStatus = 502 | 503 | 504;

const CODES: Record<FaultStatus, string> = {
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; retry_after?: unknown };
}

const expectErrorBody = (status: number, body: ErrorBody | undefined, allowed: readonly FaultStatus[]) => {
  expect(allowed, `status ${status}, body ${JSON.stringify(body)}`).toContain(status);
  expect(body?.error?.code).toBe(CODES[status as FaultStatus]);
  expect(body?.error?.message).toEqual(expect.any(String));
};

/** A clean fault answer to an HTTP request; returns its status. */
export const expectCleanError = (res: HttpResult, allowed: readonly FaultStatus[]): number => {
  expectErrorBody(res.status, res.json as ErrorBody, allowed);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (res.status === 503) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  return res.status;
};

/** A clean refusal of a WebSocket upgrade (the body carries retry_after on a 503). */
export const expectCleanRefusal = (refused: Refused, allowed: readonly FaultStatus[]): number => {
  const body = refused.body as ErrorBody;
  expectErrorBody(refused.status, body, allowed);
  if (refused.status === 503) expect(Number(body.error?.retry_after)).toBeGreaterThan(0);
  return refused.status;
};
