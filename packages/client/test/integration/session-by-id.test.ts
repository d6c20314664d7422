/**
 * The by-id calls the web app uses (cancel, block/unblock, read receipts,
 * paged history, send by id) against the real stack.
 */
import { eventually, type Stack, startStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecryptedMessage, LockboxSession, MemoryStore } from '../../src';
import { nodeWebSocket } from '../../src/node';

let stack: Stack;
let alice: LockboxSession;
let bob: LockboxSession;
let carol: LockboxSession;
const suffix = Date.now().toString(36).slice(-6);
const names = { alice: `ada${suffix}`, bob: `bea${suffix}`, carol: `cyd${suffix}` };

const open = () =>
  LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore(), webSocket: nodeWebSocket });

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err) => (err as { code?: string }).code ?? String(err),
  );

beforeAll(async () => {
  stack = await startStack({ services: ['auth', 'messages', 'realtime'] });
  [alice, bob, carol] = await Promise.all([open(), open(), open()]);
  await alice.account.register(names.alice, 'alice password 1');
  await bob.account.register(names.bob, 'bob password 12');
  await carol.account.register(names.carol, 'carol password 1');
  await alice.requests.send(names.bob);
  await bob.requests.respond(names.alice, 'accept');
});

afterAll(async () => {
  await stack?.stop();
});

const idOf = (s: LockboxSession) => s.user?.user_id as string;

describe('LockboxSession by-id calls', () => {
  it('cancelRequest withdraws a pending request; only its sender may', async () => {
    const request = await alice.requests.send(names.carol, 'hello');
    expect(await codeOf(carol.requests.cancel(request.id))).toBe('forbidden');
    const cancelled = await alice.requests.cancel(request.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await carol.requests.incoming()).toEqual([]);
    expect(await codeOf(alice.requests.cancel(request.id))).toBe('conflict');
  });

  it('historyPage pages backwards with next_cursor and decrypts each page', async () => {
    const bobUser = { id: idOf(bob), username: names.bob };
    for (let i = 1; i <= 5; i++) await alice.messages.sendTo(bobUser, `page message ${i}`);
    const texts = (ms: DecryptedMessage[]) =>
      ms.map((m) => (m.payload?.type === 'text' ? m.payload.text : `error:${m.error?.code}`));

    const newest = await bob.messages.historyPage(idOf(alice), { limit: 2 });
    expect(texts(newest.messages)).toEqual(['page message 4', 'page message 5']);
    expect(newest.next_cursor).not.toBeNull();
    const older = await bob.messages.historyPage(idOf(alice), {
      limit: 2,
      before: newest.next_cursor as string,
    });
    expect(texts(older.messages)).toEqual(['page message 2', 'page message 3']);
    const oldest = await bob.messages.historyPage(idOf(alice), {
      limit: 2,
      before: older.next_cursor as string,
    });
    expect(texts(oldest.messages)).toEqual(['page message 1']);
    expect(oldest.next_cursor).toBeNull();
    expect(await codeOf(carol.messages.historyPage(idOf(alice)))).toBe('not_a_contact');
  });

  it('markRead moves the read marks both sides see and sends the sender a live receipt', async () => {
    const receipts: Array<Record<string, unknown>> = [];
    const live = await alice.live.listen({ onReceipt: (r) => receipts.push(r) });
    try {
      const page = await bob.messages.historyPage(idOf(alice));
      const last = page.messages[page.messages.length - 1] as DecryptedMessage;
      await eventually(async () => expect(live.connections).toBe(1));
      const receipt = await bob.messages.markRead(idOf(alice), last.seq);
      expect(receipt).toMatchObject({ reader_id: idOf(bob), up_to: last.seq });
      expect((await alice.messages.historyPage(idOf(bob))).read_up_to.theirs).toBe(last.seq);
      expect((await bob.messages.historyPage(idOf(alice))).read_up_to.mine).toBe(last.seq);
      await eventually(async () =>
        expect(receipts).toContainEqual(expect.objectContaining({ reader_id: idOf(bob), up_to: last.seq })),
      );
    } finally {
      await live.stop();
    }
  });

  it('block refuses messages both ways and shows in blockedUsers; unblock lifts it', async () => {
    const aliceUser = { id: idOf(alice), username: names.alice };
    const bobUser = { id: idOf(bob), username: names.bob };
    expect(await bob.contacts.block(idOf(alice))).toEqual({ user_id: idOf(alice), blocked: true });
    expect((await bob.contacts.blocked()).map((u) => u.username)).toEqual([names.alice]);
    expect(await codeOf(alice.messages.sendTo(bobUser, 'are you there?'))).toBe('not_a_contact');
    expect(await codeOf(bob.messages.sendTo(aliceUser, 'blocked you'))).toBe('not_a_contact');
    expect(await bob.contacts.unblock(idOf(alice))).toEqual({ user_id: idOf(alice), blocked: false });
    expect(await bob.contacts.blocked()).toEqual([]);
    const sent = await alice.messages.sendTo(bobUser, 'back again');
    expect(sent.message_id).toMatch(/^msg_/);
  });
});
