/**
 * Several devices of one account in the web app (E2E v2), in Debian's
 * Chromium against the real stack: two isolated browser contexts and one SDK
 * session of alice are three devices, all listed in the Devices panel; a
 * message from bob reaches both browsers; the browser signed in later shows
 * history sent before it existed (through the encrypted archive); turning the
 * archive off asks first; and revoking one browser from the other drops it
 * from the list and signs it out.
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import { eventually, type Stack, startStack } from '@lockbox/testkit';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  chatLink,
  LIVE_MS,
  openChat,
  register,
  SLOW_MS,
  signedIn,
  signIn,
  visible,
  waitForMessage,
} from './helpers/app';
import { launchChromium } from './helpers/browser';

const run = Date.now().toString(36).slice(-6);
const alice = { name: `alice${run}`, password: 'alice has a long passphrase' };
const bob = { name: `bob${run}`, password: 'bob has an even longer one' };
const sdkDeviceName = 'Alice SDK in Node';
const texts = {
  before: `before the second browser ${run}`,
  fromSdk: `from alice's SDK device ${run}`,
  after: `to every device ${run}`,
};

let stack: Stack;
let browser: Browser;
let bobSdk: LockboxSession;
let aliceSdk: LockboxSession;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const newPage = async (): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  // E2E v2 is opt-in for now (the app reads localStorage lockbox.e2e).
  await context.addInitScript(() => window.localStorage.setItem('lockbox.e2e', 'v2'));
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
};

const openDevices = async (page: Page): Promise<Locator> => {
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('dialog', { name: 'Account' }).getByRole('button', { name: 'Devices' }).click();
  const panel = page.getByRole('dialog', { name: 'Devices' });
  await visible(panel.getByRole('list', { name: 'Your devices' }), SLOW_MS);
  return panel;
};

const closeDialog = async (dialog: Locator) => {
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
};

const devicesIn = (panel: Locator) => panel.getByRole('list', { name: 'Your devices' }).getByRole('listitem');

beforeAll(async () => {
  stack = await startStack({
    // Not a storage test: Postgres when there is one, as it starts faster than two embedded PGlites.
    engine: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite',
    services: ['auth', 'messages', 'realtime'],
    gatewayEnv: { LOCKBOX_WEB_DIST: inject('webDist') },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await aliceSdk?.account.logout().catch(() => undefined);
  await bobSdk?.account.logout().catch(() => undefined);
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

describe('devices in the web app (Chromium)', () => {
  let first: Page;
  let second: Page;

  it('the first browser registers; alice also signs in with the SDK; bob becomes her contact', async () => {
    first = await newPage();
    await register(first, stack.gatewayUrl, alice.name, alice.password);
    bobSdk = await LockboxSession.open({
      baseUrl: stack.gatewayUrl,
      store: new MemoryStore(),
      protocol: 'v2',
    });
    await bobSdk.account.register(bob.name, bob.password);
    aliceSdk = await LockboxSession.open({
      protocol: 'v2',
      baseUrl: stack.gatewayUrl,
      store: new MemoryStore(),
      deviceName: sdkDeviceName,
    });
    await aliceSdk.account.login(alice.name, alice.password);
    await bobSdk.requests.send(alice.name);
    await aliceSdk.requests.respond(bob.name, 'accept');
    await visible(chatLink(first, bob.name), SLOW_MS);
  });

  it('the archive is switched on in the first browser, and history bob sent lands in it', async () => {
    const panel = await openDevices(first);
    const toggle = panel.getByRole('checkbox', { name: 'Keep an encrypted history archive' });
    await toggle.check();
    await eventually(async () => ((await aliceSdk.devices.archiveEnabled()) ? true : undefined), LIVE_MS);
    await closeDialog(panel);

    await openChat(first, bob.name);
    const aliceUser = await bobSdk.contacts.resolveUser(alice.name);
    await bobSdk.messages.sendTo(aliceUser, texts.before);
    await waitForMessage(first, texts.before);
    // The first browser decrypted it once and sealed it into alice's archive for devices to come.
    await eventually(async () => {
      const page = await aliceSdk.api.trpc.archive.list.query({});
      return page.segments.length > 0 ? true : undefined;
    }, LIVE_MS);
  });

  it('a second browser, signed in later, shows the history sent before it existed', async () => {
    second = await newPage();
    await signIn(second, stack.gatewayUrl, alice.name, alice.password);
    await signedIn(second);
    await openChat(second, bob.name);
    await waitForMessage(second, texts.before, SLOW_MS);
  });

  it('lists all three devices, this browser marked, Revoke only for the others', async () => {
    const panel = await openDevices(second);
    await eventually(async () => ((await devicesIn(panel).count()) === 3 ? true : undefined), LIVE_MS);
    await visible(devicesIn(panel).filter({ hasText: sdkDeviceName }));
    const browsers = devicesIn(panel).filter({ hasText: / on Linux/ });
    expect(await browsers.count()).toBe(2);
    const current = devicesIn(panel).filter({ hasText: 'This device' });
    expect(await current.count()).toBe(1);
    expect(await current.getByRole('button', { name: 'Revoke' }).count()).toBe(0); // not for this device
    expect(await devicesIn(panel).getByRole('button', { name: 'Revoke' }).count()).toBe(2);
    await closeDialog(panel);
  });

  it('new messages reach both browsers', async () => {
    // Alice's SDK device writes first: its first send syncs the conversation's members, which adds
    // the second browser (bob's device re-syncs members only every so often, so it would not yet).
    const bobUser = await aliceSdk.contacts.resolveUser(bob.name);
    await aliceSdk.messages.sendTo(bobUser, texts.fromSdk);
    await waitForMessage(first, texts.fromSdk);
    await waitForMessage(second, texts.fromSdk);
    const aliceUser = await bobSdk.contacts.resolveUser(alice.name);
    await bobSdk.messages.sendTo(aliceUser, texts.after);
    await waitForMessage(first, texts.after);
    await waitForMessage(second, texts.after);
  });

  it('turning the archive off asks first; cancelling keeps it on', async () => {
    const panel = await openDevices(second);
    const toggle = panel.getByRole('checkbox', { name: 'Keep an encrypted history archive' });
    await visible(toggle);
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    const confirm = second.getByRole('dialog', { name: 'Turn off the history archive?' });
    await visible(confirm);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await toggle.isChecked()).toBe(true);
    expect(await aliceSdk.devices.archiveEnabled()).toBe(true);
    await closeDialog(panel);
  });

  it('revoking the first browser from the second removes it from the list and signs it out', async () => {
    const panel = await openDevices(second);
    const other = devicesIn(panel)
      .filter({ hasText: / on Linux/ })
      .filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: 'Revoke' }).click();
    const confirm = second.getByRole('dialog', { name: /^Revoke / });
    await confirm.getByRole('button', { name: 'Revoke device' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await eventually(async () => ((await devicesIn(panel).count()) === 2 ? true : undefined), LIVE_MS);
    expect(await devicesIn(panel).filter({ hasText: sdkDeviceName }).count()).toBe(1);
    expect(await devicesIn(panel).filter({ hasText: 'This device' }).count()).toBe(1);

    // The revoked browser: its session is gone, so it lands on the sign-in screen and says why.
    await visible(first.getByRole('button', { name: 'Sign in' }), SLOW_MS);
    await visible(first.getByText(/this device was revoked/));
    // And the SDK sees the same list: two devices, the first browser's gone.
    const listed = await aliceSdk.devices.list();
    expect(listed.map((d) => d.name).sort()).toEqual(
      [sdkDeviceName, expect.stringMatching(/ on Linux$/)].sort(),
    );
  });

  it('no page threw', () => {
    expect(pageErrors).toEqual([]);
  });
});
