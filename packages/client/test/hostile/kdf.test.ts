/**
 * KDF downgrade and friends, with a hostile server between the SDK and the
 * real stack (issue 11, finding 1): weak or absurd argon2id parameters, a
 * salt or parameters changed behind the device's back, one salt handed to two
 * accounts, a legacy answer after migration, and answers of the wrong shape.
 * Each refusal happens before anything is derived or sent: the tests assert
 * that `auth.login` never reached the server.
 */
import type { TPreloginResponse } from '@lockbox/contracts';
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LockboxApiError, type LockboxSession, SessionError } from '../../src';
import { type Argon2id, wasmArgon2id } from '../../src/crypto';
import { registerLegacyAccount } from '../helpers/kdf-legacy';
import { newSession, uniqueName } from '../helpers/stack';

let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
const password = 'correct horse battery staple';

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
});
afterAll(() => stop?.());
beforeEach(() => {
  hostile.reset();
  hostile.calls.splice(0);
});

/** A device behind the hostile server that counts its argon2id runs. */
const device = async () => {
  const runs = { count: 0 };
  const argon2id: Argon2id = (...args) => {
    runs.count++;
    return wasmArgon2id(...args);
  };
  const session = await newSession(stack, { baseUrl: hostile.url, argon2id });
  return { session, runs };
};

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof SessionError || err instanceof LockboxApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

const loginsSent = () => hostile.calls.filter((c) => c.path === 'auth.login').length;

const registered = async (base: string) => {
  const name = uniqueName(base);
  await (await newSession(stack)).account.register(name, password);
  return name;
};

const honestPrelogin = async (username: string) => {
  const res = await fetch(`${stack.gatewayUrl}/trpc/auth.prelogin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  return ((await res.json()) as { result: { data: TPreloginResponse } }).result.data;
};

describe('weak or absurd KDF parameters', () => {
  it.each([
    ['1 MiB and 1 pass', { memory_kib: 1024, iterations: 1 }, /below this app's floor/],
    ['32 MiB', { memory_kib: 32_768 }, /below this app's floor/],
    ['4 GiB', { memory_kib: 4_194_304 }, /above this app's ceiling/],
    ['4 lanes', { parallelism: 4 }, /above this app's ceiling/],
  ])('refuses %s before deriving or sending anything (kdf_refused)', async (_label, change, message) => {
    const name = await registered('weak');
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), ...change }));
    const { session, runs } = await device();
    const err = await failure(session.account.login(name, password));
    expect(err.code).toBe('kdf_refused');
    expect(err.message).toMatch(message);
    expect(runs.count).toBe(0);
    expect(loginsSent()).toBe(0);
  });
});

describe('parameters or salt changed behind the device', () => {
  let name: string;
  let me: LockboxSession;
  beforeAll(async () => {
    hostile.reset();
    name = await registered('chg');
    me = (await device()).session;
    await me.account.login(name, password);
    await me.account.logout();
  });

  it('refuses a changed salt (kdf_changed), sending nothing', async () => {
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    const err = await failure(me.account.login(name, password));
    expect(err.code).toBe('kdf_changed');
    expect(loginsSent()).toBe(0);
  });

  it('refuses changed parameters, even stronger ones (kdf_changed)', async () => {
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), iterations: 4 }));
    expect((await failure(me.account.login(name, password))).code).toBe('kdf_changed');
    expect(loginsSent()).toBe(0);
  });

  it('its own password change is no change; one made elsewhere needs the user to accept it', async () => {
    const other = (await device()).session;
    await other.account.login(name, password);
    await other.account.changePassword(password, `${password}!`);
    await other.account.logout();
    expect(await other.account.login(name, `${password}!`)).toMatchObject({ username: name });
    hostile.reset();
    const sent = loginsSent();
    expect((await failure(me.account.login(name, `${password}!`))).code).toBe('kdf_changed');
    expect(loginsSent()).toBe(sent);
    expect(await me.account.login(name, `${password}!`, { acceptKdfChange: true })).toMatchObject({
      username: name,
    });
    await me.account.logout();
    expect(await me.account.login(name, `${password}!`)).toMatchObject({ username: name });
  });
});

describe('one salt for two accounts', () => {
  it('still derives different login secrets: the salt is bound to the username', async () => {
    const alice = await registered('rsa');
    const bob = await registered('rsb');
    const aliceKdf = await honestPrelogin(alice);
    hostile.rewrite('auth.prelogin', () => aliceKdf);
    await (await device()).session.account.login(alice, password);
    expect((await failure((await device()).session.account.login(bob, password))).code).toBe(
      'wrong_password',
    );
    const secrets = hostile.calls
      .filter((c) => c.path === 'auth.login')
      .map((c) => (c.input as { password: string }).password);
    expect(secrets).toHaveLength(2);
    expect(secrets[0]).not.toBe(secrets[1]);
  });
});

describe('accounts made before the bound salt', () => {
  it('log in, read their history, are migrated, and then refuse a legacy answer', async () => {
    const aliceName = uniqueName('legacy');
    const bobName = uniqueName('lbob');
    const legacy = await registerLegacyAccount(stack, aliceName, password);
    const bob = await newSession(stack);
    await bob.account.register(bobName, 'bob has a password too');
    await legacy.session.requests.send(bobName, 'hi');
    await bob.requests.respond(aliceName, 'accept');
    await legacy.session.messages.send(bobName, 'sealed before the upgrade');
    await bob.messages.send(aliceName, 'and a reply');
    const before = await honestPrelogin(aliceName);
    expect(before.version).toBe(1);

    const { session: laptop } = await device();
    await laptop.account.login(aliceName, password);
    const texts = (await laptop.messages.history(bobName)).map((m) => (m.payload as { text?: string })?.text);
    expect(texts).toEqual(['sealed before the upgrade', 'and a reply']);
    const after = await honestPrelogin(aliceName);
    expect(after.version).toBe(2);
    expect(after.salt).not.toBe(before.salt);

    const { session: phone } = await device();
    await phone.account.login(aliceName, password);
    expect((await phone.messages.history(bobName)).map((m) => m.error)).toEqual([undefined, undefined]);
    expect((await bob.messages.history(aliceName)).map((m) => m.error)).toEqual([undefined, undefined]);

    // The server tries to take the account back to the unbound salt: a downgrade.
    await laptop.account.logout();
    const sent = loginsSent();
    hostile.rewrite('auth.prelogin', () => before);
    for (const opts of [{}, { acceptKdfChange: true }]) {
      const err = await failure(laptop.account.login(aliceName, password, opts));
      expect(err.code).toBe('kdf_changed');
      expect(err.message).toMatch(/downgrade/);
    }
    expect(loginsSent()).toBe(sent);
  });
});

describe('answers of the wrong shape', () => {
  it('refuses a prelogin answer without a salt (invalid_response), sending nothing', async () => {
    const name = await registered('mal');
    hostile.rewrite('auth.prelogin', (data) => {
      const { salt: _drop, ...rest } = data as TPreloginResponse;
      return rest;
    });
    const { session, runs } = await device();
    const err = await failure(session.account.login(name, password));
    expect(err).toBeInstanceOf(LockboxApiError);
    expect(err.code).toBe('invalid_response');
    expect(err.message).toMatch(/auth\.prelogin.*salt/);
    expect(runs.count).toBe(0);
    expect(loginsSent()).toBe(0);
  });

  it('refuses any procedure answer that is not its contract shape, and a session for another name', async () => {
    const name = await registered('shape');
    const { session } = await device();
    hostile.rewrite('auth.login', (data) => ({
      ...(data as object),
      user: { id: 'usr_0000000000000000000000000z', username: 'mallory' },
    }));
    expect((await failure(session.account.login(name, password))).code).toBe('invalid_response');
    hostile.reset();
    await session.account.login(name, password);
    hostile.rewrite('auth.me', () => ({ id: 42, username: name }));
    expect((await failure(session.account.whoami())).code).toBe('invalid_response');
    hostile.rewrite('auth.me', () => 'not even an object');
    expect((await failure(session.account.whoami())).code).toBe('invalid_response');
    hostile.rewrite('contacts.list', () => [{ nonsense: true }]);
    expect((await failure(session.contacts.list())).code).toBe('invalid_response');
  });
});
