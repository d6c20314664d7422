/**
 * The chat store against a fake backend: what the screens show as lists load,
 * live events arrive, messages are sent (and fail), pages scroll back, and keys change.
 */
import type { DecryptedMessage, HistoryPage, KeyChangedEvent } from '@lockbox/client';
import type { TContact } from '@lockbox/contracts';
import { onlineManager } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatBackend, LiveHandlers } from '../src/lib/backend';
import { ChatStore, type StoreEnv } from '../src/state/chat-store';
import type { IncomingRequest } from '../src/state/types';

const ME = { id: 'usr_me000000000000000000000000', username: 'me' };
const BOB = 'usr_bob00000000000000000000000';
const CAROL = 'usr_carol0000000000000000000000';

const contact = (id: string, username: string, n: number): TContact => ({
  id,
  username,
  since: `2026-01-0${n}T00:00:00.000Z`,
  conversation_id: `cnv_${username}`,
  blocked: false,
});

let seq = 0;
const message = (from: string, text: string, extra: Partial<DecryptedMessage> = {}): DecryptedMessage => {
  seq++;
  const outgoing = from === ME.id;
  return {
    id: `msg_${seq}`,
    conversation_id: 'cnv_bob',
    seq,
    cursor: String(seq),
    sender_id: from,
    recipient_id: outgoing ? BOB : ME.id,
    client_msg_id: `c${seq}`,
    created_at: new Date(Date.UTC(2026, 0, 10, 0, 0, seq)).toISOString(),
    outgoing,
    counterpart_id: outgoing ? BOB : from,
    payload: { type: 'text', text },
    ...extra,
    version: extra.version ?? 1,
  };
};

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

interface Fake {
  backend: ChatBackend;
  live: () => LiveHandlers;
  keyChanged: (e: KeyChangedEvent) => void;
  contacts: TContact[];
  incoming: IncomingRequest[];
  decline: ReturnType<typeof vi.fn>;
  block: ReturnType<typeof vi.fn>;
  pages: Map<string | undefined, HistoryPage>;
  listen: ReturnType<typeof vi.fn>;
  send: ReturnType<typeof vi.fn>;
  markRead: ReturnType<typeof vi.fn>;
  typing: ReturnType<typeof vi.fn>;
}

const fakeBackend = (): Fake => {
  let handlers: LiveHandlers | undefined;
  let keyListener: ((e: KeyChangedEvent) => void) | undefined;
  const fake: Partial<Fake> = {
    contacts: [contact(BOB, 'bob', 1), contact(CAROL, 'carol', 2)],
    incoming: [],
    decline: vi.fn(async () => undefined),
    block: vi.fn(async () => undefined),
    pages: new Map(),
    listen: vi.fn(async (h: LiveHandlers) => {
      handlers = h;
      return async () => undefined;
    }),
    send: vi.fn(),
    markRead: vi.fn(async () => undefined),
    typing: vi.fn(() => true),
  };
  const f = fake as Fake;
  f.backend = {
    me: ME,
    contacts: async () => f.contacts,
    incoming: async () => f.incoming,
    outgoing: async () => [],
    blocked: async () => [],
    summary: async (id) => (id === BOB ? { unread: 2, lastAt: '2026-01-09T00:00:00.000Z' } : { unread: 0 }),
    search: async () => [],
    request: async () => undefined,
    accept: async () => undefined,
    decline: f.decline as unknown as ChatBackend['decline'],
    cancel: async () => undefined,
    block: f.block as unknown as ChatBackend['block'],
    unblock: async () => undefined,
    history: async (_id, before) => {
      const page = f.pages.get(before);
      if (!page) throw new Error(`no page before ${before}`);
      return page;
    },
    send: f.send as unknown as ChatBackend['send'],
    markRead: f.markRead as unknown as ChatBackend['markRead'],
    typing: f.typing as unknown as ChatBackend['typing'],
    listen: f.listen as unknown as ChatBackend['listen'],
    onKeyChanged: (fn) => {
      keyListener = fn;
      return () => undefined;
    },
    onIdentityChanged: () => () => undefined,
    checkIdentity: async () => undefined,
    candidateSafetyNumber: async () => {
      throw new Error('not in these tests');
    },
    isVerified: async () => false,
    safetyNumber: async () => {
      throw new Error('not in these tests');
    },
    markVerified: async () => undefined,
    acceptNewKey: async () => undefined,
    signOut: async () => undefined,
  };
  f.live = () => handlers as LiveHandlers;
  f.keyChanged = (e) => keyListener?.(e);
  return f;
};

const env = (visible = true): StoreEnv => ({
  now: () => new Date('2026-01-10T12:00:00.000Z'),
  isVisible: () => visible,
  isOnline: () => true,
  watch: () => () => undefined,
});

const page = (
  messages: DecryptedMessage[],
  next: string | null,
  read = { mine: 0, theirs: 0 },
): HistoryPage => ({
  conversation_id: 'cnv_bob',
  messages,
  next_cursor: next,
  read_up_to: read,
});

let store: ChatStore | undefined;
afterEach(async () => {
  await store?.stop();
  store = undefined;
  vi.useRealTimers();
});

const started = async (fake: Fake, visible = true) => {
  store = new ChatStore(fake.backend, env(visible));
  await store.start();
  return store;
};

const bobOf = (s: ChatStore) => s.getSnapshot().contacts.find((c) => c.id === BOB);

describe('ChatStore', () => {
  it('loads contacts with unread counts, newest activity first, then listens', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const snap = s.getSnapshot();
    expect(snap.loaded).toBe(true);
    expect(snap.contacts.map((c) => [c.username, c.unread])).toEqual([
      ['bob', 2],
      ['carol', 0],
    ]);
    expect(fake.listen).toHaveBeenCalledTimes(1);
  });

  it('counts a live message as unread until the conversation is open, then marks it read', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const m = message(BOB, 'hi');
    fake.live().onMessage(m);
    expect(bobOf(s)?.unread).toBe(3);

    fake.pages.set(undefined, page([m], null));
    s.openConversation(BOB);
    await flush();
    expect(s.getSnapshot().conversations[BOB]?.messages.map((x) => x.text)).toEqual(['hi']);
    expect(fake.markRead).toHaveBeenCalledWith(BOB, m.seq);
    expect(bobOf(s)?.unread).toBe(0);
  });

  it('does not mark read while the tab is hidden', async () => {
    const fake = fakeBackend();
    const s = await started(fake, false);
    fake.pages.set(undefined, page([message(BOB, 'hi')], null));
    s.openConversation(BOB);
    await flush();
    expect(fake.markRead).not.toHaveBeenCalled();
    expect(bobOf(s)?.unread).toBe(2);
  });

  it('shows a sent message once: pending, then sent, even when the live copy comes first', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    fake.pages.set(undefined, page([], null));
    s.openConversation(BOB);
    await flush();

    const echo = message(ME.id, 'hello bob');
    let answer: (v: unknown) => void = () => undefined;
    fake.send.mockReturnValueOnce(new Promise((r) => (answer = r)));
    const sending = s.send(BOB, '  hello bob ');
    const conv = () => s.getSnapshot().conversations[BOB]?.messages ?? [];
    expect(conv().map((m) => [m.text, m.delivery])).toEqual([['hello bob', 'sending']]);
    expect(fake.send).toHaveBeenCalledWith({ id: BOB, username: 'bob' }, 'hello bob');

    fake.live().onMessage(echo); // the server's copy over the WebSocket, before the HTTP answer
    expect(conv().map((m) => [m.id, m.delivery])).toEqual([[echo.id, 'sent']]); // took the pending bubble's place
    answer({ message_id: echo.id, seq: echo.seq, created_at: echo.created_at });
    await sending;
    expect(conv().map((m) => [m.id, m.text, m.delivery])).toEqual([[echo.id, 'hello bob', 'sent']]);
  });

  it('keeps a message sent before the first page arrived, and shows it once when the page holds it', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    let firstPage: (p: HistoryPage) => void = () => undefined;
    fake.backend.history = () => new Promise<HistoryPage>((r) => (firstPage = r));
    s.openConversation(BOB);
    await flush();
    const echo = message(ME.id, 'before the page');
    fake.send.mockResolvedValueOnce({ message_id: echo.id, seq: echo.seq, created_at: echo.created_at });
    await s.send(BOB, 'before the page');
    const conv = () => s.getSnapshot().conversations[BOB]?.messages ?? [];
    expect(conv().map((m) => [m.id, m.text, m.delivery])).toEqual([[echo.id, 'before the page', 'sent']]);
    firstPage(page([echo], null));
    await flush();
    expect(conv().map((m) => [m.id, m.text])).toEqual([[echo.id, 'before the page']]);
  });

  it('offline, a conversation that cannot load says so (with Retry) instead of waiting for the network', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    onlineManager.setOnline(false);
    try {
      fake.backend.history = async () => {
        throw new Error('offline');
      };
      s.openConversation(BOB);
      await flush();
      expect(s.getSnapshot().conversations[BOB]?.status).toBe('error');
    } finally {
      onlineManager.setOnline(true);
    }
  });

  it('a failed send says why and can be retried', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    fake.pages.set(undefined, page([], null));
    s.openConversation(BOB);
    await flush();
    fake.send.mockRejectedValueOnce(new Error('boom'));
    await s.send(BOB, 'try me');
    const failed = s.getSnapshot().conversations[BOB]?.messages[0];
    expect(failed?.delivery).toBe('failed');
    expect(failed?.sendError).toBe('Something went wrong. Try again.');

    fake.send.mockResolvedValueOnce({ message_id: 'msg_x', seq: 99, created_at: '2026-01-10T00:00:00.000Z' });
    await s.retry(BOB, failed?.key as string);
    expect(s.getSnapshot().conversations[BOB]?.messages.map((m) => [m.id, m.delivery])).toEqual([
      ['msg_x', 'sent'],
    ]);
  });

  it('shows a message that failed to verify as such, with no text', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const bad = message(BOB, 'ignored', {
      payload: undefined,
      error: { code: 'bad_signature', message: 'signature does not verify' },
    });
    fake.pages.set(undefined, page([bad], null));
    s.openConversation(BOB);
    await flush();
    const shown = s.getSnapshot().conversations[BOB]?.messages[0];
    expect(shown?.text).toBeUndefined();
    expect(shown?.verifyError).toMatch(/signature/i);
  });

  it('pages back through history with the cursor until the start', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const [m1, m2, m3] = [message(BOB, 'one'), message(BOB, 'two'), message(ME.id, 'three')];
    fake.pages.set(undefined, page([m3 as DecryptedMessage], 'c2'));
    fake.pages.set('c2', page([m2 as DecryptedMessage], 'c1'));
    fake.pages.set('c1', page([m1 as DecryptedMessage], null));
    s.openConversation(BOB);
    await flush();
    const texts = () => s.getSnapshot().conversations[BOB]?.messages.map((m) => m.text);
    expect(texts()).toEqual(['three']);
    await s.loadOlder(BOB);
    expect(texts()).toEqual(['two', 'three']);
    await s.loadOlder(BOB);
    expect(texts()).toEqual(['one', 'two', 'three']);
    expect(s.getSnapshot().conversations[BOB]?.olderCursor).toBeNull();
    await s.loadOlder(BOB); // nothing more: no call for a page that does not exist
    expect(texts()).toEqual(['one', 'two', 'three']);
  });

  it('applies read receipts from the contact to my messages', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const mine = message(ME.id, 'read me');
    fake.pages.set(undefined, page([mine], null));
    s.openConversation(BOB);
    await flush();
    fake.live().onReceipt({ conversation_id: 'cnv_bob', reader_id: BOB, up_to: mine.seq });
    expect(s.getSnapshot().conversations[BOB]?.theirReadUpTo).toBe(mine.seq);
    fake.live().onReceipt({ conversation_id: 'cnv_bob', reader_id: BOB, up_to: 1 }); // late, older: ignored
    expect(s.getSnapshot().conversations[BOB]?.theirReadUpTo).toBe(mine.seq);
  });

  it('tracks presence per socket and typing hints that expire', async () => {
    vi.useFakeTimers();
    const fake = fakeBackend();
    const s = await started(fake);
    fake.live().onState('open');
    fake.live().onPresence({ user_id: BOB, status: 'online' });
    expect(bobOf(s)?.online).toBe(true);
    fake.live().onState('reconnecting');
    fake.live().onState('open'); // a new socket: only what it is told now counts
    expect(bobOf(s)?.online).toBe(false);

    fake.live().onTyping({ from: BOB, typing: true });
    expect(bobOf(s)?.typing).toBe(true);
    vi.advanceTimersByTime(7_000);
    expect(bobOf(s)?.typing).toBe(false);
  });

  it('sends typing hints at most every few seconds and "stopped" after a pause', async () => {
    vi.useFakeTimers();
    const fake = fakeBackend();
    const s = await started(fake);
    s.noteTyping(BOB);
    s.noteTyping(BOB);
    expect(fake.typing.mock.calls).toEqual([[BOB, true]]);
    vi.advanceTimersByTime(4_500);
    expect(fake.typing.mock.calls).toEqual([
      [BOB, true],
      [BOB, false],
    ]);
  });

  it('opens a new socket when a contact is added, so their presence is known', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    const dave = 'usr_dave00000000000000000000000';
    fake.contacts = [...fake.contacts, contact(dave, 'dave', 3)];
    fake.live().onChatRequestAccepted({ id: 'req_dave', from_user_id: ME.id, to_user_id: dave });
    await flush();
    await flush();
    expect(s.getSnapshot().contacts.map((c) => c.username)).toContain('dave');
    expect(fake.listen).toHaveBeenCalledTimes(2);
  });

  it('blocking someone who asked to chat also declines their request', async () => {
    const fake = fakeBackend();
    const eve = { id: 'usr_eve00000000000000000000000', username: 'eve' };
    fake.incoming = [
      {
        id: 'req_1',
        from: eve,
        note: { status: 'sealed', text: 'spam', sent_at: 0 },
        at: '2026-01-10T00:00:00.000Z',
      },
    ];
    const s = await started(fake);
    expect(s.getSnapshot().incoming).toHaveLength(1);
    fake.decline.mockImplementation(async () => {
      fake.incoming = [];
    });
    await s.block(eve.id);
    expect(fake.block).toHaveBeenCalledWith(eve.id);
    expect(fake.decline).toHaveBeenCalledWith('req_1');
    expect(s.getSnapshot().incoming).toEqual([]);
  });

  it('raises a key-change warning until the new key is accepted', async () => {
    const fake = fakeBackend();
    const s = await started(fake);
    fake.keyChanged({
      userId: BOB,
      username: 'bob',
      pinnedKey: 'a',
      presentedKey: 'b',
      wasVerified: true,
      seenIn: 'message',
    });
    expect(s.getSnapshot().keyChanges[BOB]?.wasVerified).toBe(true);
    await s.acceptNewKey(BOB);
    expect(s.getSnapshot().keyChanges[BOB]).toBeUndefined();
  });
});
