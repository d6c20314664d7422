/**
 * `lockbox login` behind a hostile server (issue 11, finding 1): weak KDF
 * parameters, a salt changed behind this LOCKBOX_HOME, and a malformed
 * prelogin answer each end with a non-zero exit, a message that names the
 * problem, and no `auth.login` call reaching the server.
 */
import { type HostileServer, type HostileStack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, lockbox, ok } from './helpers/cli';

const stamp = Date.now().toString(36).slice(-6);

describe('lockbox login against a hostile server', () => {
  let hostile: HostileServer;
  let stop: HostileStack['stop'] | undefined;
  let user: CliUser;
  const name = `kdf_${stamp}`;

  beforeAll(async () => {
    ({ hostile, stop } = await startHostileStack());
    user = cliUser(hostile.url, `Kdf-pass-${stamp}-z3`);
    await ok(user, 'register', name);
    await ok(user, 'logout');
  });
  afterAll(() => stop?.());
  beforeEach(() => hostile.reset());

  const loginsSent = () => hostile.calls.filter((c) => c.path === 'auth.login').length;

  it('refuses 1 MiB / 1 pass: exit 1, kdf_refused, nothing sent', async () => {
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), memory_kib: 1024, iterations: 1 }));
    const human = await lockbox(user, 'login', name);
    expect(human.code).not.toBe(0);
    expect(human.stderr).toMatch(
      /1 MiB, 1 passes.*below this app's floor of 64 MiB, 3 passes.*Nothing was sent/,
    );
    const machine = await lockbox(user, '--json', 'login', name);
    expect(machine.code).not.toBe(0);
    expect(JSON.parse(machine.stderr.trim().split('\n').pop() as string).error.code).toBe('kdf_refused');
    expect(loginsSent()).toBe(0);
  });

  it('refuses a salt this LOCKBOX_HOME did not see before, and says how to accept a real change', async () => {
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    const r = await lockbox(user, '--json', 'login', name);
    expect(r.code).not.toBe(0);
    const error = JSON.parse(r.stderr.trim().split('\n').pop() as string).error;
    expect(error.code).toBe('kdf_changed');
    expect(error.message).toMatch(/--accept-kdf-change/);
    expect(loginsSent()).toBe(0);
  });

  it('refuses a malformed prelogin answer as invalid_response', async () => {
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), salt: 12 }));
    const r = await lockbox(user, 'login', name);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/sent an answer LockBox refuses.*auth\.prelogin/);
    expect(loginsSent()).toBe(0);
  });

  it('still signs in when the server tells the truth', async () => {
    expect(await ok(user, 'login', name)).toMatch(`signed in as ${name}`);
  });
});
