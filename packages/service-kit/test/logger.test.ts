/** Secrets in URLs are masked before a URL reaches a log line. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, safeUrl } from '../src/logger';

describe('safeUrl', () => {
  it.each([
    [undefined, ''],
    ['/auth/me', '/auth/me'],
    ['/auth/verify/eyJ.abc.def', '/auth/verify/[redacted]'],
    ['/auth/verify/eyJ.abc.def?x=1', '/auth/verify/[redacted]?x=1'],
    ['/auth/verify/a/b/c', '/auth/verify/[redacted]'],
    ['/v1/auth/verify/eyJ.abc.def?x=1', '/v1/auth/verify/[redacted]?x=1'],
    ['/v1/auth/me', '/v1/auth/me'],
    ['/ws?token=eyJ.abc&after=5', '/ws?token=[redacted]&after=5'],
    ['/ws?after=5&token=eyJ.abc', '/ws?after=5&token=[redacted]'],
    ['/x?access_token=a&refresh_token=b', '/x?access_token=[redacted]&refresh_token=[redacted]'],
    ['/trpc/auth.verify?input=%7B%22token%22%3A%22eyJ%22%7D', '/trpc/auth.verify?input=[redacted]'],
    ['/users/search?q=ali&limit=5', '/users/search?q=ali&limit=5'],
    ['/ws?mytoken=keep', '/ws?mytoken=keep'],
  ])('%s → %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  it.each([
    '/ws?%74oken=eyJ.secret', // an encoded key is the same parameter to URLSearchParams
    '/ws?to%6Ben=eyJ.secret&after=1',
    '/trpc/auth.verify?%69nput=eyJ.secret',
    '/auth/%76erify/eyJ.secret',
    '/auth/verify%2FeyJ.secret',
    '//auth/verify/eyJ.secret',
    '/v1/auth/verify/eyJ.secret',
    '/V1//auth/Verify/eyJ.secret',
    '/v1/auth/%76erify/eyJ.secret',
  ])('masks the secret in %s', (url) => {
    expect(safeUrl(url)).not.toContain('eyJ.secret');
  });
});

describe('createLogger', () => {
  it('writes to <dir>/<instance>.log and redacts secrets by path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-log-'));
    const log = createLogger({
      service: 'svc',
      instance: 'svc-2',
      logDir: dir,
      level: 'info',
      stdout: false,
    });
    log.info(
      {
        password: 'hunter2',
        user: { refresh_token: 'rt_secret' },
        req: { headers: { authorization: 'Bearer t0k' } },
      },
      'hello',
    );
    log.flush();
    const file = path.join(dir, 'svc-2.log');
    await expect.poll(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8')).toMatch(/hello/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/hunter2|rt_secret|t0k/);
    expect(text).toMatch(/\[redacted\]/);
  });
});
