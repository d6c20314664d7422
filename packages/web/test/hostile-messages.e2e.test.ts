/**
 * A malicious server and messages, as a person sees it in the web app (Debian
 * Chromium). Bob's browser loads the app from, and talks only to, the hostile
 * server; Alice and Carol use the SDK against the real stack. Nothing is shown
 * as from the wrong person: a message from another conversation or a replay is
 * a visible "could not be verified" bubble without its text, and a re-dated
 * message shows the signed time with "server time differs".
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import {
  addToConversation,
  asReplay,
  type HostileServer,
  newMessageFrame,
  redated,
  rewriteMessages,
  type ServedMessage,
  type Stack,
} from '@lockbox/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatLink,
  conversation,
  LIVE_MS,
  messages,
  openChat,
  SLOW_MS,
  signedIn,
  signIn,
  visible,
  waitForMessage,
} from './helpers/app';
import { type HostileWebStack, startHostileWebStack } from './helpers/hostile-web-stack';

const run = Date.now().toString(36).slice(-6);
const names = { alice: `alice${run}`, bob: `bob${run}`, carol: `carol${run}` };
const bobPassword = 'bob has a long passphrase for this';
const TWO_DAYS = 2 * 24 * 3_600_000;

let web: HostileWebStack;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;
let page: Page;
let alice: LockboxSession;
let carol: LockboxSession;
const ids = { alice: '', bob: '', carol: '' };
const pageErrors: string[] = [];

const sdkUser = async (name: string, password = `${name} has a long enough password`) => {
  const s = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  await s.account.register(name, password);
  return s;
};

const newestRaw = async (reader: LockboxSession, contactId: string): Promise<ServedMessage> =>
  (await reader.api.trpc.messages.conversation.query({ contact_id: contactId, limit: 1 })).messages.at(
    -1,
  ) as ServedMessage;

const refusedBubbles = (p: Page) => messages(p).getByText('Message could not be verified');

beforeAll(async () => {
  web = await startHostileWebStack();
  ({ stack, hostile, browser } = web);

  const bob = await sdkUser(names.bob, bobPassword);
  alice = await sdkUser(names.alice);
  carol = await sdkUser(names.carol);
  ids.bob = bob.user?.user_id as string;
  ids.alice = alice.user?.user_id as string;
  ids.carol = carol.user?.user_id as string;
  await alice.requests.send(names.bob);
  await bob.requests.respond(names.alice, 'accept');
  await carol.requests.send(names.bob);
  await bob.requests.respond(names.carol, 'accept');
  await carol.requests.send(names.alice);
  await alice.requests.respond(names.carol, 'accept');
  await alice.messages.send(ids.bob, `alice: first real message ${run}`);
  await carol.messages.send(ids.bob, `carol: for bob's eyes, in the carol chat ${run}`);

  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 240_000);

afterAll(async () => {
  await web?.stop();
});

describe('web app against a lying server', () => {
  it('a genuine Carol→Bob message served in the Alice conversation is shown as refused, never as Alice’s', async () => {
    const fromCarol = await newestRaw(carol, ids.bob);
    addToConversation(hostile, ids.alice, () => [fromCarol]);
    await signIn(page, hostile.url, names.bob, bobPassword);
    await signedIn(page);
    await openChat(page, names.alice);
    await waitForMessage(page, `alice: first real message ${run}`, SLOW_MS);
    await visible(messages(page).getByText(/The server placed a message from another conversation here/));
    expect(await messages(page).getByText(`carol: for bob's eyes, in the carol chat ${run}`).count()).toBe(0);
    // In Carol's own conversation the same message is hers, and readable.
    await openChat(page, names.carol);
    await waitForMessage(page, `carol: for bob's eyes, in the carol chat ${run}`);
    hostile.reset();
  });

  it('live: a message between two other people never shows, and a relabelled one lands in its signed conversation', async () => {
    await openChat(page, names.alice);
    await carol.messages.send(ids.alice, `carol to alice only ${run}`);
    const carolToAlice = await newestRaw(alice, ids.carol);
    const alicePage = await alice.api.trpc.messages.conversation.query({ contact_id: ids.bob, limit: 1 });
    // The server swallows Carol's next real frame to Bob and re-sends it labelled as the Alice conversation.
    hostile.onFrame((frame) =>
      frame.type === 'new_message' && (frame.data as ServedMessage).sender_id === ids.carol ? [] : [frame],
    );
    await carol.messages.send(ids.bob, `carol, relabelled ${run}`);
    const relabelled = { ...(await newestRaw(carol, ids.bob)), conversation_id: alicePage.conversation_id };
    hostile.injectFrame(newMessageFrame(carolToAlice));
    hostile.injectFrame(newMessageFrame(relabelled));

    // The relabelled message is Carol's: her chat shows it (unread), the Alice chat does not.
    await expect
      .poll(() => chatLink(page, names.carol).textContent(), { timeout: LIVE_MS })
      .toMatch(/1\s*unread/);
    const aliceView = conversation(page, names.alice);
    expect(await aliceView.getByText(`carol, relabelled ${run}`).count()).toBe(0);
    expect(await page.getByText(`carol to alice only ${run}`).count()).toBe(0);
    await openChat(page, names.carol);
    await waitForMessage(page, `carol, relabelled ${run}`);
    expect(await page.getByText(`carol to alice only ${run}`).count()).toBe(0);
    // Not even as a refused bubble: it belongs to no conversation of Bob's.
    expect(await refusedBubbles(page).count()).toBe(0);
    hostile.reset();
  });

  it('a replay under a new id and time is a refused bubble, also after a reload (the seen-set persists)', async () => {
    await openChat(page, names.alice);
    const text = `alice: pay carol 10 euros ${run}`;
    await alice.messages.send(ids.bob, text);
    await waitForMessage(page, text);
    const original = await newestRaw(alice, ids.bob);
    addToConversation(hostile, ids.alice, () => [asReplay(original)]);
    await page.reload();
    await signedIn(page);
    await openChat(page, names.alice);
    await waitForMessage(page, text);
    await visible(messages(page).getByText(/delivered this message again/));
    expect(await messages(page).getByText(text, { exact: true }).count()).toBe(1);
    await expect(refusedBubbles(page).count()).resolves.toBeGreaterThan(0);
    hostile.reset();
  });

  it('a message the server re-dates shows the signed time and “server time differs”', async () => {
    const since = Date.now();
    const later = (m: ServedMessage) =>
      m.sender_id === ids.alice && Date.parse(m.created_at) >= since - 1_000 ? redated(m, TWO_DAYS) : m;
    rewriteMessages(hostile, later);
    hostile.onFrame((frame) =>
      frame.type === 'new_message' ? [{ ...frame, data: later(frame.data as ServedMessage) }] : [frame],
    );
    await openChat(page, names.alice);
    const text = `alice: what time is it ${run}`;
    await alice.messages.send(ids.bob, text);
    await waitForMessage(page, text);
    const bubble = messages(page).getByRole('listitem').filter({ hasText: text });
    await visible(bubble.getByText('server time differs'));
    const shown = Date.parse((await bubble.locator('time').getAttribute('datetime')) as string);
    expect(Math.abs(shown - Date.now())).toBeLessThan(10 * 60_000);
    hostile.reset();
  });

  it('no page threw', () => {
    expect(pageErrors).toEqual([]);
  });
});
