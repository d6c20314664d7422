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

  it('names a refused or changed password KDF and a refused server answer', () => {
    expect(describeError(new SessionError('kdf_refused', 'x at 1 MiB, below the floor'))).toMatch(
      /weak password protection.*Nothing was sent/,
    );
    expect(describeError(new SessionError('kdf_refused', 'x above the ceiling'))).toMatch(/beyond/);
    expect(describeError(new SessionError('kdf_changed', 'the salt changed'))).toMatch(
      /changed how your password is protected/,
    );
    expect(describeError(new SessionError('kdf_changed', 'that is a downgrade'))).toMatch(/older, weaker/);
    expect(describeError(new LockboxApiError('invalid_response', 'bad shape', undefined))).toMatch(
      /answer LockBox refuses/,
    );
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
