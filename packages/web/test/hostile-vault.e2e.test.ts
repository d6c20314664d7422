/**
 * The vault slice of issue 11 in Chromium, with the browser talking to a
 * hostile server in front of the real stack: a "no vault" answer is refused
 * with a visible warning (louder when this browser saw the vault) and nothing
 * is written; the explicit "Reset identity" (behind a warning dialog) gives a
 * half-registered account keys; an old vault is refused; and the Account
 * panel changes the password and rotates the keys, which a contact notices.
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import type { HostileServer, Stack } from '@lockbox/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { register, SLOW_MS, signedIn, signIn, visible } from './helpers/app';
import { type HostileWebStack, startHostileWebStack } from './helpers/hostile-web-stack';

const run = Date.now().toString(36).slice(-5);
const password = 'a long browser vault password';
let web: HostileWebStack;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

const newPage = async (): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  return context.newPage();
};
const sdk = (baseUrl = stack.gatewayUrl) => LockboxSession.open({ baseUrl, store: new MemoryStore() });
const mark = () => hostile.calls.length;
const writesSince = (from: number) =>
  hostile.calls.slice(from).filter((c) => c.path === 'vault.put' || c.path === 'keys.publish');
const serveVault = (answer: unknown) =>
  hostile.respond('vault.get', () => ({ status: 200, body: { result: { data: answer } } }));
const signOut = async (page: Page) => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await visible(page.getByRole('button', { name: 'Sign in' }));
};
const alert = (page: Page) => page.getByRole('alert');

beforeAll(async () => {
  web = await startHostileWebStack();
  ({ stack, hostile, browser } = web);
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await web?.stop();
});
beforeEach(() => hostile.reset());

describe('web app against a server that lies about the vault', () => {
  it('"no vault" at sign-in: a loud warning, nothing written, and a reset only behind a warning dialog', async () => {
    const name = `nvw${run}`;
    const page = await newPage();
    await register(page, hostile.url, name, password);
    await signOut(page);
    const from = mark();
    serveVault({ vault: null, version: 0, updated_at: null });
    await signIn(page, hostile.url, name, password);
    await visible(
      alert(page).filter({ hasText: /this browser saw one on \d{4}-\d\d-\d\d: the server may be lying/ }),
      SLOW_MS,
    );
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Reset identity' }).click();
    const dialog = page.getByRole('dialog', { name: `Reset identity of ${name}?` });
    await visible(dialog.getByText(/If the server now says there is none, it may be lying/));
    await visible(dialog.getByText(/Your contacts will see that your key changed/));
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(writesSince(from)).toEqual([]);
  });

  it('Reset identity gives an account whose registration stopped half-way (no vault) its keys', async () => {
    const name = `rhw${run}`;
    hostile.respond('vault.put', () => ({
      status: 503,
      body: {
        error: { message: 'down', code: -32603, data: { code: 'service_unavailable', httpStatus: 503 } },
      },
    }));
    await (await sdk(hostile.url)).account.register(name, password).catch(() => undefined);
    hostile.reset();
    const page = await newPage();
    await signIn(page, hostile.url, name, password);
    await visible(alert(page).filter({ hasText: 'The server says this account has no key vault.' }), SLOW_MS);
    await page.getByRole('button', { name: 'Reset identity' }).click();
    const dialog = page.getByRole('dialog', { name: `Reset identity of ${name}?` });
    await dialog.getByRole('button', { name: 'Reset identity' }).click();
    await signedIn(page);
    const laptop = await sdk();
    await laptop.account.login(name, password);
    const me = await laptop.account.whoami();
    expect((await laptop.api.trpc.keys.get.query({ user_id: me.id })).identity_key).toBe(me.identity_key);
  });

  it('an older vault than this browser saw is refused with a visible warning', async () => {
    const name = `rbw${run}`;
    const bobName = `rbwb${run}`;
    let first: unknown;
    hostile.rewrite('vault.get', (data) => {
      first ??= data;
      return data;
    });
    const page = await newPage();
    await register(page, hostile.url, name, password);
    hostile.reset();
    // Another device of the same account pins a contact: the vault moves on to version 2.
    const phone = await sdk();
    const bob = await sdk();
    await phone.account.login(name, password);
    await bob.account.register(bobName, password);
    await phone.requests.send(bobName);
    await bob.requests.respond(name, 'accept');
    await phone.verification.safetyNumber(bobName);
    // The browser sees version 2 at its next sign-in, then the server serves version 1.
    await signOut(page);
    await signIn(page, hostile.url, name, password);
    await signedIn(page);
    await signOut(page);
    const from = mark();
    serveVault(first);
    await signIn(page, hostile.url, name, password);
    await visible(
      alert(page).filter({ hasText: 'an older copy of your key vault than this browser already saw' }),
      SLOW_MS,
    );
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(writesSince(from)).toEqual([]);
  });

  it('the Account panel changes the password and rotates the keys; a contact sees the key change', async () => {
    const name = `rkw${run}`;
    const bobName = `rkwb${run}`;
    const page = await newPage();
    await register(page, hostile.url, name, password);
    const phone = await sdk();
    const bob = await sdk();
    await phone.account.login(name, password);
    await bob.account.register(bobName, password);
    await phone.requests.send(bobName);
    await bob.requests.respond(name, 'accept');
    await bob.verification.safetyNumber(name); // Bob pins the browser account's current key
    const oldKey = (await phone.account.whoami()).identity_key;

    await page.getByRole('button', { name: 'Account' }).click();
    const panel = page.getByRole('dialog', { name: 'Account' });
    await panel.getByLabel('Current password').fill(password);
    await panel.getByLabel('New password').fill('a new browser password');
    await panel.getByLabel('Also rotate my identity keys').check();
    await panel.getByRole('button', { name: 'Change password' }).click();
    await visible(panel.getByRole('status').filter({ hasText: 'new identity keys published' }), SLOW_MS);

    const published = await bob.api.trpc.keys.get.query({ user_id: phone.user!.user_id });
    expect(published.identity_key).not.toBe(oldKey);
    const bobNow = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: bob.profile.store });
    const changed: string[] = [];
    bobNow.events.on('key_changed', (e) => changed.push(e.presentedKey));
    expect((await bobNow.messages.send(name, 'still you?').catch((e) => e)).code).toBe('key_changed');
    expect(changed).toEqual([published.identity_key]);
  });
});
