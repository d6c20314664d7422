/** The CLI's error sentences: one clear line per failure, with a stable code. */
import { CryptoError, LockboxApiError, SessionError } from '@lockbox/client';
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../src/output';

const url = 'http://localhost:8000';

describe('describeFailure', () => {
  it('wrong password, unknown user, not a contact, not signed in', () => {
    expect(describeFailure(new SessionError('wrong_password', 'x'), url)).toEqual({
      code: 'wrong_password',
      message: 'wrong username or password',
    });
    expect(describeFailure(new SessionError('unknown_user', 'no user named "zed"'), url).message).toBe(
      'no user named "zed"',
    );
    expect(
      describeFailure(new SessionError('not_a_contact', 'you can only message your contacts'), url).code,
    ).toBe('not_a_contact');
    expect(describeFailure(new SessionError('not_signed_in', 'x'), url).message).toContain('lockbox login');
  });

  it('a changed key says nothing was sent and how to resolve it', () => {
    const f = describeFailure(
      new CryptoError('key_changed', 'the identity key of bob changed since it was pinned'),
      url,
    );
    expect(f.code).toBe('key_changed');
    expect(f.message).toContain('the identity key of bob changed');
    expect(f.message).toContain('nothing was sent');
    expect(f.message).toContain('--accept-new-key');
  });

  it('transport problems name the server; an ended session asks to sign in again', () => {
    expect(describeFailure(new LockboxApiError('network', 'ECONNREFUSED', undefined), url).message).toContain(
      url,
    );
    expect(describeFailure(new LockboxApiError('unauthorized', 'session ended', 401), url)).toMatchObject({
      code: 'not_signed_in',
    });
    expect(
      describeFailure(new LockboxApiError('rate_limited', 'too many', 429, 'r', 30), url).message,
    ).toContain('retry in 30 s');
  });
});
