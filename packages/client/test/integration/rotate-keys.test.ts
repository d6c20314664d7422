/**
 * Issue 11, finding 10: a password change can rotate the identity keys. The
 * new identity becomes current and is published, the old ones stay in the
 * vault (history still opens), and a contact sees a key change it can verify:
 * key_changed, the new key's messages refused until accepted, then old AND
 * new messages read.
 * Every session stays on v1: the rotation of v1 identity keys is what is tested (a rotation does
 * not re-certify v2 devices yet, docs/SECURITY.md 10.11).
 */
import type { Stack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecryptedMessage, type KeyChangedEvent, LockboxSession } from '../../src';
import { newSession, startFullStack, uniqueName, until } from '../helpers/stack';

const textOf = (m: DecryptedMessage) => (m.payload as { text?: string } | undefined)?.text;

let stack: Stack;
beforeAll(async () => {
  stack = await startFullStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('changePassword with rotateKeys', () => {
  it('publishes a fresh identity; the contact verifies the change, then reads old and new messages', async () => {
    const alice = await newSession(stack, { protocol: 'v1' });
    const bob = await newSession(stack, { protocol: 'v1' });
    const aliceName = uniqueName('rk_a');
    const bobName = uniqueName('rk_b');
    await alice.account.register(aliceName, 'alice first password');
    await bob.account.register(bobName, 'bob has a password');
    await alice.requests.send(bobName);
    await bob.requests.respond(aliceName, 'accept');
    await alice.messages.send(bobName, 'signed by my old key');
    await bob.messages.send(aliceName, 'sealed to your old key');
    expect(
      (await bob.messages.history(aliceName)).map((m) => (m.payload as { text?: string } | undefined)?.text),
    ).toEqual(['signed by my old key', 'sealed to your old key']);
    const oldKey = (await alice.account.whoami()).identity_key;
    // A listener running across the rotation must open messages sealed to the new key as well.
    const live: DecryptedMessage[] = [];
    const states: string[] = [];
    const listener = await alice.live.listen({
      onMessage: (m) => void live.push(m),
      onState: (st) => void states.push(st),
    });
    await until(() => expect(states).toContain('open'));

    await alice.account.changePassword('alice first password', 'alice second password', { rotateKeys: true });
    const newKey = (await alice.account.whoami()).identity_key;
    expect(newKey).not.toBe(oldKey);
    expect((await alice.api.trpc.keys.get.query({ user_id: alice.user!.user_id })).identity_key).toBe(newKey);
    await alice.messages.send(bobName, 'signed by my new key');

    // Bob (a session without the one-minute bundle cache) sees the change and refuses the new key's message.
    const bobNow = await LockboxSession.open({
      baseUrl: stack.gatewayUrl,
      store: bob.profile.store,
      protocol: 'v1',
    });
    const events: KeyChangedEvent[] = [];
    bobNow.events.on('key_changed', (e) => events.push(e));
    const before = await bobNow.messages.history(aliceName);
    expect(before.at(-1)?.payload).toBeUndefined();
    expect(before.at(-1)?.error?.code).toBe('key_changed');
    expect(events.at(-1)).toMatchObject({
      userId: alice.user!.user_id,
      pinnedKey: oldKey,
      presentedKey: newKey,
    });
    expect((await bobNow.messages.send(aliceName, 'hello?').catch((e) => e)).code).toBe('key_changed');

    // After accepting, old and new messages read, and replies reach Alice's new key.
    await bobNow.verification.acceptNewKey(aliceName);
    expect(
      (await bobNow.messages.history(aliceName)).map(
        (m) => (m.payload as { text?: string } | undefined)?.text,
      ),
    ).toEqual(['signed by my old key', 'sealed to your old key', 'signed by my new key']);
    await bobNow.messages.send(aliceName, 'sealed to your new key');
    await until(() => expect(live.map(textOf)).toContain('sealed to your new key'));
    await listener.stop();

    // Alice, here and on a new device with the new password, reads everything (old identities kept).
    const expected = [
      'signed by my old key',
      'sealed to your old key',
      'signed by my new key',
      'sealed to your new key',
    ];
    expect(
      (await alice.messages.history(bobName)).map((m) => (m.payload as { text?: string } | undefined)?.text),
    ).toEqual(expected);
    const laptop = await newSession(stack, { protocol: 'v1' });
    await laptop.account.login(aliceName, 'alice second password');
    expect((await laptop.account.whoami()).identity_key).toBe(newKey);
    expect(
      (await laptop.messages.history(bobName)).map((m) => (m.payload as { text?: string } | undefined)?.text),
    ).toEqual(expected);
  });

  it('without rotateKeys the identity stays the same (existing behaviour)', async () => {
    const dave = await newSession(stack, { protocol: 'v1' });
    const name = uniqueName('rk_d');
    await dave.account.register(name, 'dave first password');
    const key = (await dave.account.whoami()).identity_key;
    await dave.account.changePassword('dave first password', 'dave second password');
    expect((await dave.account.whoami()).identity_key).toBe(key);
  });
});
