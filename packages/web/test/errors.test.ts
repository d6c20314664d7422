/** What people read when something fails: plain words, never a stack trace or an error code. */
import { CryptoError, LockboxApiError, SessionError } from '@lockbox/client';
import { describe, expect, it } from 'vitest';
import { describeError, describeVerifyError } from '../src/lib/errors';

describe('describeError', () => {
  it('words the failures people meet', () => {
    expect(describeError(new SessionError('wrong_password', 'invalid username or password'))).toBe(
      'Wrong username or password.',
    );
    expect(
      describeError(new LockboxApiError('rate_limited', 'too many attempts; retry in 42s', 429, 'r', 42)),
    ).toBe('Too many attempts. Wait 42 seconds and try again.');
    expect(describeError(new LockboxApiError('rate_limited', 'slow down', 429, 'r', 600))).toBe(
      'Too many attempts. Wait 10 minutes and try again.',
    );
    expect(describeError(new LockboxApiError('network', 'fetch failed', undefined))).toMatch(
      /Can’t reach LockBox/,
    );
    expect(describeError(new LockboxApiError('username_taken', 'username taken', 409))).toMatch(/taken/);
    expect(describeError(new LockboxApiError('service_unavailable', 'db down', 503))).toMatch(
      /having trouble/,
    );
    expect(describeError(new CryptoError('key_changed', 'x'))).toMatch(/security key changed/);
  });

  it('passes the server’s own sentence through for what the person typed', () => {
    expect(
      describeError(new LockboxApiError('conflict', 'you already have a pending request to this user', 409)),
    ).toBe('You already have a pending request to this user.');
  });

  it('says nothing technical about errors it does not know', () => {
    expect(describeError(new TypeError('x is undefined'))).toBe('Something went wrong. Try again.');
  });

  it('words verification failures without showing content', () => {
    expect(describeVerifyError('bad_signature')).toMatch(/tampered/);
    expect(describeVerifyError('key_changed')).toMatch(/key that changed/);
    expect(describeVerifyError('whatever')).toBe('Could not be verified');
  });
});
