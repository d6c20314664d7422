/**
 * A malicious server and messages (issue 11, findings 4 and 5), against the
 * SDK: Bob talks to the stack only through the hostile server, which serves
 * genuine envelopes in the wrong conversation, replays them under new ids,
 * times and seqs, and re-dates them. Alice and Carol talk to the real stack.
 */
import {
  addToConversation,
  addToList,
  asReplay,
  type HostileServer,
  type HostileStack,
  newMessageFrame,
  redated,
  rewriteMessages,
  type ServedMessage,
  type Stack,
  startHostileStack,
} from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DecryptedMessage, LockboxSession, MemoryStore } from '../../src';
import { newSession, uniqueName, until } from '../helpers/stack';

let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
let alice: LockboxSession;
let bob: LockboxSession;
let carol: LockboxSession;
let bobStore: MemoryStore;
const ids = { alice: '', bob: '', carol: '' };

const register = async (s: LockboxSession, base: string) => {
  const name = uniqueName(base);
  const account = await s.account.register(name, `${base} has a long enough password`);
  return { name, id: account.user_id };
};

/** `from` asks `to` to connect and `to` accepts. */
const connect = async (from: LockboxSession, fromName: string, to: LockboxSession, toName: string) => {
  await from.requests.send(toName);
  await to.requests.respond(fromName, 'accept');
};

/** The raw messages of a conversation as the honest server returns them (newest page). */
const rawConversation = async (s: LockboxSession, contactId: string): Promise<ServedMessage[]> =>
  (await s.api.trpc.messages.conversation.query({ contact_id: contactId, limit: 200 }))
    .messages as ServedMessage[];

const texts = (ms: DecryptedMessage[]) =>
  ms.filter((m) => m.payload?.type === 'text').map((m) => (m.payload as { text: string }).text);

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
  // These tests tamper with v1 envelopes: every session stays on v1.
  alice = await newSession(stack, { protocol: 'v1' });
  carol = await newSession(stack, { protocol: 'v1' });
  bobStore = new MemoryStore();
  bob = await newSession(stack, { baseUrl: hostile.url, store: bobStore, protocol: 'v1' });
  const [a, b, c] = [
    await register(alice, 'alice'),
    await register(bob, 'bob'),
    await register(carol, 'carol'),
  ];
  Object.assign(ids, { alice: a.id, bob: b.id, carol: c.id });
  await connect(alice, a.name, bob, b.name);
  await connect(carol, c.name, bob, b.name);
  await connect(carol, c.name, alice, a.name);
});

afterAll(() => stop?.());

beforeEach(() => hostile.reset());

describe('misplaced messages: the signed parties decide, not the server', () => {
  it('a genuine Carol→Bob message served in Bob’s conversation with Alice (messages.conversation) is refused', async () => {
    await alice.messages.send(ids.bob, 'alice to bob, where it belongs');
    await carol.messages.send(ids.bob, 'carol to bob, not for the alice chat');
    const fromCarol = (await rawConversation(bob, ids.carol)).at(-1) as ServedMessage;
    addToConversation(hostile, ids.alice, () => [fromCarol]);

    const history = await bob.messages.history(ids.alice);
    expect(texts(history)).toEqual(['alice to bob, where it belongs']);
    const injected = history.find((m) => m.id === fromCarol.id);
    expect(injected?.error?.code).toBe('misplaced');
    expect(injected?.payload).toBeUndefined();

    const page = await bob.messages.historyPage(ids.alice);
    expect(texts(page.messages)).toEqual(['alice to bob, where it belongs']);
    expect(page.messages.find((m) => m.id === fromCarol.id)?.error?.code).toBe('misplaced');
  });

  it('a message between two other users is refused on every path (conversation, list, live)', async () => {
    await carol.messages.send(ids.alice, 'carol to alice: bob must never read this');
    const carolToAlice = (await rawConversation(alice, ids.carol)).at(-1) as ServedMessage;
    addToConversation(hostile, ids.alice, () => [carolToAlice]);
    addToList(hostile, () => [carolToAlice]);

    const history = await bob.messages.history(ids.alice);
    expect(history.find((m) => m.id === carolToAlice.id)?.error?.code).toBe('misplaced');
    const list = await bob.messages.after('0', 500);
    expect(list.messages.find((m) => m.id === carolToAlice.id)?.error?.code).toBe('misplaced');

    const live: DecryptedMessage[] = [];
    const states: string[] = [];
    const client = await bob.live.listen({
      onMessage: (m) => void live.push(m),
      onState: (s) => void states.push(s),
    });
    try {
      await until(() => expect(states).toContain('open'));
      hostile.injectFrame(newMessageFrame(carolToAlice));
      await until(() => expect(live.map((m) => m.id)).toContain(carolToAlice.id));
      expect(live.find((m) => m.id === carolToAlice.id)?.error?.code).toBe('misplaced');
      expect(texts(live)).not.toContain('carol to alice: bob must never read this');
    } finally {
      await client.stop();
    }
  });

  it('on the list and the live stream a message is attributed to its signed counterpart, never to a relabelled conversation', async () => {
    await carol.messages.send(ids.bob, 'carol, relabelled as the alice chat');
    const alicePage = await bob.api.trpc.messages.conversation.query({ contact_id: ids.alice, limit: 1 });
    const fromCarol = (await rawConversation(bob, ids.carol)).at(-1) as ServedMessage;
    const relabelled = { ...fromCarol, conversation_id: alicePage.conversation_id };
    const claimedFromAlice = { ...fromCarol, sender_id: ids.alice };
    addToList(hostile, () => [relabelled, claimedFromAlice]);

    const list = (await bob.messages.after('0', 500)).messages.filter((m) => m.id === fromCarol.id);
    const shown = list.filter((m) => !m.error);
    expect(shown.length).toBeGreaterThan(0);
    for (const m of shown) expect(m.counterpart_id).toBe(ids.carol);
    // The server's claim that Alice sent it does not verify: refused, no content.
    const claimed = list.filter((m) => m.sender_id === ids.alice);
    expect(claimed.map((m) => m.error?.code)).toEqual(['metadata_mismatch']);

    const live: DecryptedMessage[] = [];
    const states: string[] = [];
    const client = await bob.live.listen({
      onMessage: (m) => void live.push(m),
      onState: (s) => void states.push(s),
    });
    try {
      await until(() => expect(states).toContain('open'));
      const forgedId = 'msg_0000000000000000000000000a';
      hostile.injectFrame(newMessageFrame({ ...claimedFromAlice, id: forgedId }));
      hostile.injectFrame(newMessageFrame({ ...relabelled, id: fromCarol.id }));
      // (The socket may resume honest messages first; only the two lies matter here.)
      await until(() => expect(live.map((m) => m.id)).toEqual(expect.arrayContaining([forgedId])));
      expect(live.find((m) => m.id === forgedId)?.error?.code).toBe('metadata_mismatch');
      const relayed = live.filter((m) => m.id === fromCarol.id);
      for (const m of relayed) expect(m.counterpart_id).toBe(ids.carol);
      expect(
        live.filter((m) => m.counterpart_id === ids.alice && texts([m]).length > 0).map((m) => m.id),
      ).not.toContain(fromCarol.id);
    } finally {
      await client.stop();
    }
  });
});

describe('replays: one (sender, client_msg_id), one id, one time, on this device for good', () => {
  it('a replay under a new id, time and seq is refused in a history, a page and a list', async () => {
    await alice.messages.send(ids.bob, 'pay carol 10 euros');
    const original = (await rawConversation(bob, ids.alice)).at(-1) as ServedMessage;
    addToConversation(hostile, ids.alice, () => [asReplay(original)]);
    addToList(hostile, () => [asReplay(original)]);

    const history = await bob.messages.history(ids.alice);
    expect(texts(history).filter((t) => t === 'pay carol 10 euros')).toHaveLength(1);
    expect(history.at(-1)?.error?.code).toBe('replayed');
    expect((await bob.messages.historyPage(ids.alice)).messages.at(-1)?.error?.code).toBe('replayed');
    const list = (await bob.messages.after('0', 500)).messages;
    expect(list.at(-1)?.error?.code).toBe('replayed');
    expect(texts(list).filter((t) => t === 'pay carol 10 euros')).toHaveLength(1);
  });

  it('across two separate calls and a restart from the same store, the replay is still refused', async () => {
    await alice.messages.send(ids.bob, 'the door code is 4711');
    const [first] = (await bob.messages.historyPage(ids.alice, { limit: 1 })).messages;
    expect(first?.payload).toEqual({ type: 'text', text: 'the door code is 4711' });

    // Second call: the server now serves only the copy, under a new id, time and seq.
    const original = (await rawConversation(bob, ids.alice)).at(-1) as ServedMessage;
    rewriteMessages(hostile, (m) => (m.id === original.id ? asReplay(m) : m));
    expect((await bob.messages.historyPage(ids.alice, { limit: 1 })).messages[0]?.error?.code).toBe(
      'replayed',
    );

    const restarted = await LockboxSession.open({ baseUrl: hostile.url, store: bobStore, protocol: 'v1' });
    expect((await restarted.messages.historyPage(ids.alice, { limit: 1 })).messages[0]?.error?.code).toBe(
      'replayed',
    );
    expect((await restarted.messages.history(ids.alice)).at(-1)?.error?.code).toBe('replayed');
    // The same message unchanged (a page fetched again) is fine.
    hostile.reset();
    expect(
      (await restarted.messages.historyPage(ids.alice, { limit: 1 })).messages[0]?.payload,
    ).toBeDefined();
  });

  it('a live frame replaying a message already read is refused', async () => {
    await alice.messages.send(ids.bob, 'meet at noon');
    const original = (await rawConversation(bob, ids.alice)).at(-1) as ServedMessage;
    expect(texts(await bob.messages.history(ids.alice))).toContain('meet at noon');
    const live: DecryptedMessage[] = [];
    const states: string[] = [];
    const client = await bob.live.listen({
      onMessage: (m) => void live.push(m),
      onState: (s) => void states.push(s),
    });
    try {
      await until(() => expect(states).toContain('open'));
      const replay = asReplay(original, { ms: 0, seq: 5 });
      hostile.injectFrame(newMessageFrame(replay));
      await until(() => expect(live.map((m) => m.id)).toContain(replay.id));
      expect(live.find((m) => m.id === replay.id)?.error?.code).toBe('replayed');
      expect(live.find((m) => m.id === replay.id)?.payload).toBeUndefined();
    } finally {
      await client.stop();
    }
  });

  it('the same message re-dated by the server after it was seen is a replay too', async () => {
    await alice.messages.send(ids.bob, 'seen once, then re-dated');
    expect(texts(await bob.messages.history(ids.alice))).toContain('seen once, then re-dated');
    const original = (await rawConversation(bob, ids.alice)).at(-1) as ServedMessage;
    rewriteMessages(hostile, (m) => (m.id === original.id ? redated(m, 60_000) : m));
    expect((await bob.messages.history(ids.alice)).at(-1)?.error?.code).toBe('replayed');
  });
});

describe('the signed time, not the server’s', () => {
  it('a server time far from the signed sent_at is flagged; the signed time is kept', async () => {
    const sent = await alice.messages.send(ids.bob, 'what time is it?');
    const dayLater = 24 * 3_600_000;
    rewriteMessages(hostile, (m) => (m.id === sent.message_id ? redated(m, dayLater) : m));
    const m = (await bob.messages.history(ids.alice)).find(
      (x) => x.id === sent.message_id,
    ) as DecryptedMessage;
    expect(m.payload).toEqual({ type: 'text', text: 'what time is it?' });
    expect(m.server_time_differs).toBe(true);
    expect(Math.abs((m.sent_at as number) - Date.parse(sent.created_at))).toBeLessThan(10 * 60_000);
    expect(Date.parse(m.created_at) - Date.parse(sent.created_at)).toBe(dayLater);
  });

  it('an honest server time is not flagged', async () => {
    const sent = await alice.messages.send(ids.bob, 'on time');
    const m = (await bob.messages.history(ids.alice)).find((x) => x.id === sent.message_id);
    expect(m?.server_time_differs).toBe(false);
  });
});
