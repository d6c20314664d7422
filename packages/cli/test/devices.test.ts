/**
 * `lockbox devices` through the real stack, with the real binary and one
 * LOCKBOX_HOME per machine: Alice signs in on a desk and a laptop (two
 * devices on her signed list), the laptop reads history sent before it
 * existed (from the archive: MLS keys are gone after first use), the archive
 * setting goes off and on, bad ids and the current device are refused with
 * a clear error, and a revoked laptop is gone from the list and told it was
 * signed out on its next command.
 *
 * One engine (Postgres when TEST_DATABASE_URL is set): what is checked here is
 * the CLI and the SDK; storage on both engines is the auth-service suites' job.
 */
import { newId } from '@lockbox/contracts';
import { enginesUnderTest, type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, lockbox, ok } from './helpers/cli';

/** E2E v2 is opt-in (LOCKBOX_E2E=v2). */
const V2 = { LOCKBOX_E2E: 'v2' };

const stamp = Date.now().toString(36).slice(-6);
const engine = enginesUnderTest().at(-1) ?? 'pglite';

type Device = {
  device_id: string;
  name: string;
  added_at: string;
  last_seen_at: string | null;
  current: boolean;
};
type Listed = { devices: Device[] };
type Shown = { text?: string; from: string; version: number; error?: unknown };

/** The failure a command printed with --json (the last line of stderr). */
const failure = async (user: CliUser, ...args: string[]) => {
  const r = await lockbox(user, '--json', ...args);
  if (r.code === 0)
    throw new Error(`lockbox ${args.join(' ')} succeeded; a failure was expected: ${r.stdout}`);
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  return {
    code: r.code,
    stdout: r.stdout,
    error: (JSON.parse(last) as { error: { code: string; message: string } }).error,
  };
};

describe(`lockbox devices through the real stack (${engine})`, () => {
  let stack: Stack;
  let desk: CliUser;
  let laptop: CliUser;
  let bob: CliUser;
  const alice = `alice_${stamp}_dv`;
  const bobName = `bob_${stamp}_dv`;
  const early = [`before the laptop existed ${stamp}`, `a reply from Bob ${stamp}`];

  beforeAll(async () => {
    stack = await startStack({ engine, services: ['auth', 'messages', 'realtime'] });
    desk = cliUser(stack.gatewayUrl, `Alice-pass-${stamp}-d1`, V2);
    laptop = cliUser(stack.gatewayUrl, desk.password, V2);
    bob = cliUser(stack.gatewayUrl, `Bob-pass-${stamp}-d2`, V2);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('a device is made at register, named by --device-name; the archive can be read and turned on', async () => {
    await ok(desk, 'register', alice, '--device-name', 'desk');
    await ok(bob, 'register', bobName);
    await ok(desk, 'request', bobName);
    await ok(bob, 'accept', alice);

    const [only] = (await json<Listed>(desk, 'devices')).devices;
    expect(only).toMatchObject({ name: 'desk', current: true });
    expect(only?.device_id).toMatch(/^dev_/);
    expect(typeof (await json<{ archive: boolean }>(desk, 'devices', 'archive')).archive).toBe('boolean');
    expect(await json(desk, 'devices', 'archive', 'on')).toMatchObject({ archive: true });
    expect(await ok(desk, 'devices', 'archive')).toContain('history archive: on');
  });

  it('a second machine is a second device, and reads the history sent before it existed', async () => {
    await ok(desk, 'send', bobName, early[0] as string);
    await ok(bob, 'send', alice, early[1] as string);
    // The desk decrypts Bob's reply (its MLS keys are then deleted) and archives it.
    expect((await json<Shown[]>(desk, 'read', bobName)).map((m) => m.text)).toEqual(early);

    await ok(laptop, 'login', alice, '--device-name', 'laptop');
    const fromLaptop = (await json<Listed>(laptop, 'devices')).devices;
    const fromDesk = (await json<Listed>(desk, 'devices')).devices;
    expect(fromLaptop.map((d) => d.name).sort()).toEqual(['desk', 'laptop']);
    expect(fromDesk.map((d) => d.device_id).sort()).toEqual(fromLaptop.map((d) => d.device_id).sort());
    expect(fromLaptop.find((d) => d.current)?.name).toBe('laptop');
    expect(fromDesk.find((d) => d.current)?.name).toBe('desk');
    const table = await ok(laptop, 'devices', 'list');
    expect(table).toMatch(/^\* +laptop .*this device$/m);
    expect(table).not.toMatch(/desk .*this device/);

    const history = await json<Shown[]>(laptop, 'read', bobName);
    expect(history.map((m) => m.text)).toEqual(early);
    expect(history.map((m) => m.from)).toEqual([alice, bobName]);
    // Sent over MLS (so the laptop could only get them from the archive), none refused.
    expect(history.map((m) => m.version)).toEqual([2, 2]);
    expect(history.every((m) => m.error === undefined)).toBe(true);
  });

  it('turning the archive off explains the trade-off and asks; --yes turns it off for every device', async () => {
    const asked = await failure(desk, 'devices', 'archive', 'off');
    expect(asked.code).toBe(1);
    expect(asked.error.message).toContain('--yes');
    expect(await json(laptop, 'devices', 'archive')).toMatchObject({ archive: true });

    const off = await lockbox(desk, 'devices', 'archive', 'off', '--yes');
    expect(off.code).toBe(0);
    expect(off.stderr).toContain('strict forward secrecy');
    expect(off.stderr).toContain('cannot read anything sent before it existed');
    expect(await json(laptop, 'devices', 'archive')).toMatchObject({ archive: false });
    expect(await json(laptop, 'devices', 'archive', 'on')).toMatchObject({ archive: true, changed: true });
    expect(await json(desk, 'devices', 'archive')).toMatchObject({ archive: true });
    expect((await failure(desk, 'devices', 'archive', 'maybe')).error.code).toBe('bad_setting');
  });

  it('bad ids, unknown ids and this very device are refused, and nothing changes', async () => {
    const notAnId = await failure(desk, 'devices', 'revoke', 'laptop');
    expect(notAnId).toMatchObject({ code: 1, error: { code: 'bad_device_id' } });
    const unknown = await failure(desk, 'devices', 'revoke', newId('device'), '--yes');
    expect(unknown).toMatchObject({ code: 1, error: { code: 'unknown_device' } });
    const self = (await json<Listed>(desk, 'devices')).devices.find((d) => d.current);
    const refused = await failure(desk, 'devices', 'revoke', self?.device_id as string, '--yes');
    expect(refused).toMatchObject({ code: 1, error: { code: 'current_device' } });
    expect(refused.error.message).toContain('this device');
    const other = (await json<Listed>(desk, 'devices')).devices.find((d) => !d.current);
    // No terminal to ask and no --yes: refused, the laptop stays.
    expect((await failure(desk, 'devices', 'revoke', other?.device_id as string)).code).toBe(1);
    expect((await json<Listed>(desk, 'devices')).devices).toHaveLength(2);
  });

  it('a revoked device is gone from the list, and its next command says it was signed out', async () => {
    const laptopId = (await json<Listed>(laptop, 'devices')).devices.find((d) => d.current)?.device_id;
    expect(await json(desk, 'devices', 'revoke', laptopId as string, '--yes')).toMatchObject({
      revoked: true,
      device_id: laptopId,
      name: 'laptop',
    });
    expect((await json<Listed>(desk, 'devices')).devices.map((d) => d.name)).toEqual(['desk']);

    const next = await lockbox(laptop, 'devices');
    expect(next.code).not.toBe(0);
    expect(next.stderr).toContain('this device was signed out');
    expect(next.stderr).toContain('revoked');
    const again = await failure(laptop, 'whoami');
    expect(again).toMatchObject({ code: 1, error: { code: 'not_signed_in' } });
    expect(again.error.message).toContain('revoked');

    // The desk still talks to Bob after removing the laptop from the conversation.
    const after = `after the revocation ${stamp}`;
    await ok(desk, 'send', bobName, after);
    expect((await json<Shown[]>(bob, 'read', alice)).map((m) => m.text)).toEqual([...early, after]);
  });
});
