/**
 * The identity slice of issue 11 as a person at a terminal meets it, with the
 * real `lockbox` binary behind a hostile server: a username listed under
 * another account is refused with a clear message and exit 1 (nothing sent);
 * after a key change `verify` shows the NEW number first and accepts exactly
 * the key it showed; `--accept-new-key --confirm` is a usage error (exit 2).
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, lockbox, ok } from './helpers/cli';
import { forgeBundle, freshServedBundle, publishNewKey, relabel } from './helpers/identity';

const stamp = Date.now().toString(36).slice(-6);
const PASSWORD = `Identity-pass-${stamp}`;
let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
let bob: CliUser;
let alice: LockboxSession;
let mallory: LockboxSession;
const names = { alice: `alice_${stamp}`, bob: `bob_${stamp}`, mallory: `mal_${stamp}` };
const id = (s: LockboxSession) => s.user?.user_id as string;
let mark = 0;
const calledPaths = () => hostile.calls.slice(mark).map((c) => c.path);

const sdkUser = async (name: string) => {
  const s = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  await s.account.register(name, PASSWORD);
  return s;
};

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
  bob = cliUser(hostile.url, PASSWORD);
  [alice, mallory] = [await sdkUser(names.alice), await sdkUser(names.mallory)];
  await ok(bob, 'register', names.bob);
  await alice.requests.send(names.bob);
  await ok(bob, 'accept', names.alice);
  await ok(bob, 'verify', names.alice); // first use: alice pinned
});
afterAll(() => stop?.());
beforeEach(() => {
  hostile.reset();
  mark = hostile.calls.length;
});

describe('lockbox against a server that lies about who is who', () => {
  it('refuses --accept-new-key together with --confirm: usage error, exit 2', async () => {
    const r = await lockbox(bob, 'verify', names.alice, '--accept-new-key', '--confirm');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be combined/);
    const j = await lockbox(bob, '--json', 'verify', names.alice, '--confirm', '--accept-new-key');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stderr).error.code).toBe('usage');
  });

  it('contacts list "alice" under mallory\'s id: send is refused with identity_changed, nothing sent', async () => {
    relabel(hostile, 'contacts.list', id(alice), id(mallory));
    forgeBundle(hostile, id(mallory), freshServedBundle(id(mallory), names.alice));
    const r = await lockbox(bob, 'send', names.alice, 'for alice only');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another account/);
    expect(r.stderr).toMatch(/nothing was sent/);
    const j = await lockbox(bob, '--json', 'read', names.alice);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain('"code":"identity_changed"');
    expect(calledPaths()).not.toContain('messages.send');
    expect(calledPaths()).not.toContain('messages.conversation');
  });

  it('search lists mallory\'s id as "alice" to a fresh home: her key signs another name, refused', async () => {
    const carol = cliUser(hostile.url, PASSWORD);
    await ok(carol, 'register', `carol_${stamp}`);
    relabel(hostile, 'users.search', id(alice), id(mallory));
    const r = await lockbox(carol, 'verify', names.alice);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`belongs to "${names.mallory}"`);
    expect(r.stdout).toBe('');
  });

  it('after a key change, verify shows the NEW number, not accepted; --accept-new-key takes exactly that key', async () => {
    const before = await json<{ safety_number: string }>(bob, 'verify', names.alice);
    const aliceLaptop = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
    await aliceLaptop.account.login(names.alice, PASSWORD);
    await publishNewKey(aliceLaptop);

    const shown = await lockbox(bob, 'verify', names.alice);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('NEW safety number');
    expect(shown.stdout).toContain('NOT accepted yet');
    const candidate = JSON.parse((await lockbox(bob, '--json', 'verify', names.alice)).stdout);
    expect(candidate).toMatchObject({ candidate: true, accepted: false });
    expect(candidate.safety_number).not.toBe(before.safety_number);

    // The server swaps the key again before the accept: that key's number was never shown, so nothing is accepted.
    forgeBundle(hostile, id(alice), freshServedBundle(id(alice), names.alice));
    const sneaky = await lockbox(bob, '--json', 'verify', names.alice, '--accept-new-key');
    expect(sneaky.code).toBe(1);
    expect(JSON.parse(sneaky.stdout)).toMatchObject({ candidate: true, accepted: false });
    hostile.reset();
    // The honest key again: it differs from the one shown last, so it is shown (again) first...
    expect((await lockbox(bob, 'verify', names.alice, '--accept-new-key')).code).toBe(1);
    // ...and accepted on the next run, with the very number shown.
    const accepted = await json<{ safety_number: string; verified: boolean }>(
      bob,
      'verify',
      names.alice,
      '--accept-new-key',
    );
    expect(accepted).toMatchObject({ safety_number: candidate.safety_number, verified: false });
    expect((await lockbox(bob, 'verify', names.alice)).code).toBe(0);
  });
});
