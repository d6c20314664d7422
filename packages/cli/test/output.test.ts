/** The CLI's error sentences: one clear line per failure, with a stable code. */
import { CryptoError, LockboxApiError, SessionError } from '@lockbox/client';
import { describe, expect, it } from 'vitest';
import { CliError, describeFailure } from '../src/output';

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
    const ended = describeFailure(new LockboxApiError('unauthorized', 'session ended', 401), url);
    expect(ended.code).toBe('not_signed_in');
    // The server answers a revoked device like any ended session: the sentence names both.
    expect(ended.message).toContain('this device was signed out');
    expect(ended.message).toContain('revoked');
    expect(ended.message).toContain('lockbox login');
    expect(
      describeFailure(new LockboxApiError('rate_limited', 'too many', 429, 'r', 30), url).message,
    ).toContain('retry in 30 s');
  });

  it("the CLI's own refusals keep their code and sentence", () => {
    expect(describeFailure(new CliError('bad_device_id', '"x" is not a device id'), url)).toEqual({
      code: 'bad_device_id',
      message: '"x" is not a device id',
    });
  });
});
