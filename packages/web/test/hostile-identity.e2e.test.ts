/**
 * The identity slice of issue 11 in Chromium, behind a hostile server: the
 * contact list shows Mallory's account under Alice's name (which this browser
 * pinned to Alice's account): a loud identity warning, Mallory's message never
 * shown, nothing can be sent. And after a key change, the safety-number dialog
 * shows the NEW number first and accepts exactly the key it showed.
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import type { HostileServer, Stack } from '@lockbox/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatLink, conversation, messages, SLOW_MS, signedIn, signIn, visible } from './helpers/app';
import { type HostileWebStack, startHostileWebStack } from './helpers/hostile-web-stack';
import { forgeFreshBundle, groupsIn, listImpostorAs, relabel } from './helpers/identity';

const run = Date.now().toString(36).slice(-6);
const PASSWORD = `identity passphrase ${run}`;
const names = { alice: `alice${run}`, bob: `bob${run}`, mallory: `mal${run}` };
const impostorText = `this is alice, send me the code ${run}`;

let web: HostileWebStack;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const sdk: Record<'alice' | 'bob' | 'mallory', LockboxSession> = {} as never;
const id = (who: keyof typeof sdk) => sdk[who].user?.user_id as string;

const session = async (name: string) => {
  const s = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  await s.account.register(name, PASSWORD);
  return s;
};

beforeAll(async () => {
  web = await startHostileWebStack();
  ({ stack, hostile, browser } = web);
  sdk.alice = await session(names.alice);
  sdk.bob = await session(names.bob);
  sdk.mallory = await session(names.mallory);
  for (const who of ['alice', 'mallory'] as const) {
    await sdk[who].requests.send(names.bob);
    await sdk.bob.requests.respond(names[who], 'accept');
  }
  await sdk.bob.verification.safetyNumber(names.alice); // Bob's first use of Alice: pinned (and in his vault)
  await sdk.mallory.messages.send(names.bob, impostorText);
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 300_000);

afterAll(async () => {
  await web?.stop();
});

describe('web app against a server that lies about who is who', () => {
  it('Mallory listed as "alice": an identity warning, her message never shown, nothing to send with', async () => {
    listImpostorAs(hostile, { id: id('alice') }, { id: id('mallory') });
    await signIn(page, hostile.url, names.bob, PASSWORD);
    await signedIn(page);
    await chatLink(page, names.alice).click();
    const view = conversation(page, names.alice);
    const warning = view.getByRole('alert', { name: 'Identity warning' });
    await visible(warning, SLOW_MS);
    expect(await warning.textContent()).toContain(
      `The server now lists “${names.alice}” as a different account.`,
    );
    expect(await messages(page).count()).toBe(0);
    expect(await page.getByText(impostorText).count()).toBe(0);
    expect(await view.getByLabel('Message').count()).toBe(0);
    expect(hostile.calls.filter((c) => c.path === 'messages.send')).toEqual([]);
  });

  it('search lists Mallory\'s account as "alice": the result is a warning, with nothing to click', async () => {
    hostile.reset();
    relabel(hostile, 'users.search', id('alice'), id('mallory'));
    await page.getByLabel('Search users').fill(names.alice.slice(0, 8));
    const results = page.getByRole('region', { name: 'Search results' });
    await visible(results.getByRole('alert', { name: `Identity warning for ${names.alice}` }), SLOW_MS);
    expect(await results.getByRole('link', { name: names.alice }).count()).toBe(0);
    expect(await results.getByRole('button', { name: names.alice }).count()).toBe(0);
    await page.getByLabel('Search users').fill('');
  });

  it('after a key change the dialog shows the NEW number first and accepts exactly that key', async () => {
    hostile.reset();
    const laptop = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
    await laptop.account.login(names.alice, PASSWORD);
    const { crypto } = await import('@lockbox/client');
    await laptop.api.trpc.keys.publish.mutate(
      crypto.signKeyBundle(id('alice'), names.alice, crypto.generateIdentity()),
    );
    await page.reload();
    await signedIn(page);
    await chatLink(page, names.alice).click();
    const view = conversation(page, names.alice);
    await visible(view, SLOW_MS);
    await view.getByRole('button', { name: 'Safety number' }).click();
    const dialog = page.getByRole('dialog');
    const shown = dialog.getByRole('list', { name: 'New safety number' });
    await visible(shown, SLOW_MS);
    await visible(dialog.getByText('New safety number — not accepted yet'));
    expect(await dialog.getByRole('list', { name: 'Safety number', exact: true }).count()).toBe(0);
    const candidateGroups = await groupsIn(shown);
    const fromSdk = await sdk.bob.verification.candidateSafetyNumber(names.alice);
    expect(candidateGroups).toEqual(fromSdk.groups);

    // The server swaps the key again while the number is on screen: Accept refuses.
    forgeFreshBundle(hostile, id('alice'), names.alice);
    await dialog.getByRole('button', { name: 'Accept new key' }).click();
    await visible(dialog.getByRole('alert'));
    expect(await dialog.getByRole('list', { name: 'Safety number', exact: true }).count()).toBe(0);

    hostile.reset();
    await dialog.getByRole('button', { name: 'Accept new key' }).click();
    const accepted = dialog.getByRole('list', { name: 'Safety number', exact: true });
    await visible(accepted, SLOW_MS);
    expect(await groupsIn(accepted)).toEqual(candidateGroups);
  });

  it('no page threw', () => {
    expect(pageErrors).toEqual([]);
  });
});
