/** The error-code table. */
import { describe, expect, it } from 'vitest';
import { appCodeFromTrpc, ERROR_CODES, type ErrorCode, errorStatus, isErrorCode } from '../src/errors';

describe('ERROR_CODES', () => {
  it('maps every code to a 4xx/5xx status', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect(errorStatus(code)).toBeGreaterThanOrEqual(400);
      expect(errorStatus(code)).toBeLessThan(600);
    }
  });

  it('has the statuses API.md promises', () => {
    expect(errorStatus('invalid_input')).toBe(400);
    expect(errorStatus('invalid_json')).toBe(400);
    expect(errorStatus('unauthorized')).toBe(401);
    expect(errorStatus('invalid_credentials')).toBe(401);
    expect(errorStatus('forbidden')).toBe(403);
    expect(errorStatus('not_found')).toBe(404);
    expect(errorStatus('conflict')).toBe(409);
    expect(errorStatus('username_taken')).toBe(409);
    expect(errorStatus('payload_too_large')).toBe(413);
    expect(errorStatus('unsupported_media_type')).toBe(415);
    expect(errorStatus('rate_limited')).toBe(429);
    expect(errorStatus('bad_gateway')).toBe(502);
    expect(errorStatus('service_unavailable')).toBe(503);
    expect(errorStatus('gateway_timeout')).toBe(504);
  });

  it('round-trips through tRPC codes to a code with the same status', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      if (code === 'headers_too_large') continue; // tRPC has no 431; only the gateway answers it
      expect(errorStatus(appCodeFromTrpc(ERROR_CODES[code].trpc))).toBe(errorStatus(code));
    }
  });

  it('isErrorCode knows only its own keys', () => {
    expect(isErrorCode('not_found')).toBe(true);
    for (const v of ['toString', '__proto__', 'constructor', '', 404, undefined])
      expect(isErrorCode(v)).toBe(false);
  });
});
