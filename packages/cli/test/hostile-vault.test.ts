/**
 * The vault slice of issue 11 as a person at a terminal meets it, with the
 * real `lockbox` binary talking to a hostile server: "no vault" at login and
 * an old vault are refused (exit 1, a clear message, nothing written), and
 * the explicit ways to new keys work — `reset-identity` (asks first, warns)
 * and `passwd --rotate-keys` (the contact sees a key change).
 */
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, lockbox, ok } from './helpers/cli';

const stamp = Date.now().toString(36).slice(-5);
let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
let counter = 0;
const name = (base: string) => `${base}${stamp}${counter++}`;

/** A CLI user whose server is the hostile proxy. */
const user = (password = `pass-${stamp}-vault-cli`): CliUser => cliUser(hostile.url, password);
const mark = () => hostile.calls.length;
const writesSince = (from: number) =>
  hostile.calls.slice(from).filter((c) => c.path === 'vault.put' || c.path === 'keys.publish');
const serveVault = (answer: unknown) =>
  hostile.respond('vault.get', () => ({ status: 200, body: { result: { data: answer } } }));

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
});
afterAll(() => stop?.());
beforeEach(() => hostile.reset());

describe('lockbox against a server that lies about the vault', () => {
  it('login with "no vault" fails (exit 1), says the device saw a vault, and creates nothing', async () => {
    const alice = user();
    const aliceName = name('nva');
    await ok(alice, 'register', aliceName);
    await ok(alice, 'logout');
    const from = mark();
    serveVault({ vault: null, version: 0, updated_at: null });
    const r = await lockbox(alice, 'login', aliceName);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the server says .* has no key vault, but this device saw a vault for this account on \d{4}-\d\d-\d\d: the server may be lying/,
    );
    expect(r.stderr).toContain(`lockbox reset-identity ${aliceName}`);
    const asJson = await lockbox(alice, '--json', 'login', aliceName);
    expect(JSON.parse(asJson.stderr.trim().split('\n').at(-1) as string).error.code).toBe('no_vault');
    expect(writesSince(from)).toEqual([]);
  });

  it('login with an old vault (from before a pin) is refused as vault_rollback', async () => {
    const alice = user();
    const bob = cliUser(stack.gatewayUrl, `bob-pass-${stamp}-vault`);
    const aliceName = name('rba');
    const bobName = name('rbb');
    let first: unknown;
    hostile.rewrite('vault.get', (data) => {
      first ??= data;
      return data;
    });
    await ok(alice, 'register', aliceName);
    await ok(bob, 'register', bobName);
    await ok(alice, 'request', bobName);
    await ok(bob, 'accept', aliceName);
    await ok(alice, 'verify', bobName); // pins Bob: a newer vault
    await ok(alice, 'logout');
    hostile.reset();
    const from = mark();
    serveVault(first);
    const r = await lockbox(alice, '--json', 'login', aliceName);
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stderr.trim().split('\n').at(-1) as string).error;
    expect(error.code).toBe('vault_rollback');
    expect(error.message).toMatch(/already saw version 2 .*refused as a rollback/);
    expect(writesSince(from)).toEqual([]);
  });
});

describe('the explicit ways to new keys', () => {
  it('reset-identity warns, asks (refuses without a terminal unless --yes), then makes new keys', async () => {
    const carol = user();
    const carolName = name('ric');
    await ok(carol, 'register', carolName);
    const before = await json<{ identity_key: string }>(carol, 'whoami');
    const from = mark();
    const refused = await lockbox(carol, 'reset-identity', carolName);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('contacts will see a key change');
    expect(refused.stderr).toContain('add --yes to confirm');
    expect(writesSince(from)).toEqual([]);

    const done = await lockbox(carol, 'reset-identity', carolName, '--yes');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`new identity keys for ${carolName}`);
    const after = await json<{ identity_key: string }>(carol, 'whoami');
    expect(after.identity_key).not.toBe(before.identity_key);
  });

  it('passwd --rotate-keys publishes new keys; the contact is warned and refuses to send until it accepts', async () => {
    const dave = user('dave-first-password');
    const erin = cliUser(hostile.url, `erin-pass-${stamp}-vault`);
    const daveName = name('rkd');
    const erinName = name('rke');
    await ok(dave, 'register', daveName);
    await ok(erin, 'register', erinName);
    await ok(dave, 'request', erinName);
    await ok(erin, 'accept', daveName);
    await ok(erin, 'send', daveName, 'before the rotation');
    const before = await json<{ identity_key: string }>(dave, 'whoami');
    const rotated = await json<{ rotated_keys: boolean; identity_key: string }>(
      { ...dave, env: { ...dave.env, LOCKBOX_NEW_PASSWORD: 'dave-second-password' } },
      'passwd',
      '--rotate-keys',
    );
    expect(rotated.rotated_keys).toBe(true);
    expect(rotated.identity_key).not.toBe(before.identity_key);

    const refused = await lockbox(erin, 'send', daveName, 'are you still dave?');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/identity key of .* has CHANGED/);
    // Accepting is two steps: see the new safety number (exit 1, not accepted yet), then accept that key.
    const candidate = await lockbox(erin, 'verify', daveName);
    expect(candidate.code).toBe(1);
    expect(candidate.stdout).toMatch(/NOT accepted yet/);
    await ok(erin, 'verify', daveName, '--accept-new-key');
    await ok(erin, 'send', daveName, 'after the rotation');
    const daveNow = { ...dave, env: { ...dave.env, LOCKBOX_PASSWORD: 'dave-second-password' } };
    const history = await json<Array<{ text?: string }>>(daveNow, 'read', erinName);
    expect(history.map((m) => m.text)).toEqual(['before the rotation', 'after the rotation']);
  });
});
