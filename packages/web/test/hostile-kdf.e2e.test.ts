/**
 * The sign-in screen in Chromium behind a hostile server (issue 11, finding 1):
 * weak argon2id parameters and parameters changed behind this browser's back
 * stop the sign-in with a visible, specific warning, and the derived login
 * secret is never sent (`auth.login` never reaches the server). A password
 * really changed on another device can be accepted once, explicitly.
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import type { HostileServer, Stack } from '@lockbox/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLOW_MS, signedIn, signIn, visible } from './helpers/app';
import { type HostileWebStack, startHostileWebStack } from './helpers/hostile-web-stack';

const run = Date.now().toString(36).slice(-6);
const user = { name: `kdfweb${run}`, password: 'a passphrase for the kdf test' };

let web: HostileWebStack;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;

beforeAll(async () => {
  web = await startHostileWebStack();
  ({ stack, hostile, browser } = web);
  const elsewhere = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  await elsewhere.account.register(user.name, user.password);
});

afterAll(async () => {
  await web?.stop();
});

beforeEach(() => {
  hostile.reset();
  hostile.calls.splice(0);
});

const loginsSent = () => hostile.calls.filter((c) => c.path === 'auth.login').length;
const alert = (page: Page) => page.getByRole('alert');

describe('sign-in screen against a hostile server', () => {
  it('refuses weak KDF parameters with a visible warning and sends nothing', async () => {
    const page = await (await browser.newContext()).newPage();
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), memory_kib: 1024, iterations: 1 }));
    await signIn(page, hostile.url, user.name, user.password);
    await visible(alert(page).filter({ hasText: 'weak password protection' }), SLOW_MS);
    expect(await alert(page).textContent()).toMatch(/Nothing was sent/);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(loginsSent()).toBe(0);
  });

  it('refuses a salt changed behind this browser; a real change elsewhere is accepted only when confirmed', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, hostile.url, user.name, user.password);
    await signedIn(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await visible(page.getByRole('button', { name: 'Sign in' }));

    const honestLogins = loginsSent();
    hostile.rewrite('auth.prelogin', (data) => ({ ...(data as object), salt: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    await signIn(page, hostile.url, user.name, user.password);
    await visible(alert(page).filter({ hasText: 'changed how your password is protected' }), SLOW_MS);
    expect(loginsSent()).toBe(honestLogins);

    // The person really changed the password on another device: the warning offers to go on.
    hostile.reset();
    const other = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
    await other.account.login(user.name, user.password);
    const newPassword = `${user.password} v2`;
    await other.account.changePassword(user.password, newPassword);
    await signIn(page, hostile.url, user.name, newPassword);
    await visible(alert(page).filter({ hasText: 'changed how your password is protected' }), SLOW_MS);
    expect(loginsSent()).toBe(honestLogins);
    await page.getByRole('button', { name: 'I changed my password on another device: sign in' }).click();
    await signedIn(page);
    expect(loginsSent()).toBe(honestLogins + 1);
  });
});
