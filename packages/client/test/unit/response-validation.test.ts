/** The one place server answers are checked against the contracts' output schemas. */
import { describe, expect, it } from 'vitest';
import { InvalidResponseError, PUBLIC_OPERATIONS, validateAnswer } from '../../src/api/response-validation';

const prelogin = {
  algorithm: 'argon2id',
  salt: 'q6urq6urq6urq6urq6urqw==',
  memory_kib: 65_536,
  iterations: 3,
  parallelism: 1,
  version: 2,
};

describe('response validation', () => {
  it('knows every public procedure of both services, and no internal one', () => {
    for (const path of [
      'auth.prelogin',
      'auth.login',
      'vault.get',
      'keys.get',
      'messages.list',
      'contacts.list',
    ])
      expect(PUBLIC_OPERATIONS.has(path)).toBe(true);
    expect([...PUBLIC_OPERATIONS.keys()].filter((p) => p.startsWith('internal.'))).toEqual([]);
  });

  it('passes a conforming answer and drops keys the contract does not know', () => {
    expect(validateAnswer('auth.prelogin', { ...prelogin, extra: 'ignored' })).toEqual(prelogin);
  });

  it.each([
    ['a missing salt', { ...prelogin, salt: undefined }],
    ['a 15-byte salt', { ...prelogin, salt: 'q6urq6urq6urq6urq6ur' }],
    ['an unknown KDF version', { ...prelogin, version: 3 }],
    ['another algorithm', { ...prelogin, algorithm: 'pbkdf2' }],
    ['a fractional memory size', { ...prelogin, memory_kib: 65_536.5 }],
    ['no object at all', 'hello'],
  ])('refuses %s, naming the procedure and field but not the values', (_label, answer) => {
    expect(() => validateAnswer('auth.prelogin', answer)).toThrow(InvalidResponseError);
    try {
      validateAnswer('auth.prelogin', answer);
    } catch (err) {
      expect((err as Error).message).toMatch(/auth\.prelogin/);
      expect((err as Error).message).not.toMatch(/q6urq6ur|pbkdf2|hello/);
    }
  });

  it('refuses an answer to a procedure the contract does not have', () => {
    expect(() => validateAnswer('auth.nonsense', {})).toThrow(InvalidResponseError);
  });
});
