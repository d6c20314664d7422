/**
 * The web app end to end, in Debian's Chromium against the real stack (auth,
 * messages, realtime behind the gateway, which serves a fresh build of the
 * app): two people register, find each other, connect and chat live both ways;
 * a reload keeps the conversation; a third, fresh browser signs in as one of
 * them and reads the decrypted history; and no message text reaches the
 * server's disk or logs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Stack, startStack } from '@lockbox/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatLink,
  conversation,
  messages,
  openChat,
  register,
  requestChat,
  SLOW_MS,
  send,
  signedIn,
  signIn,
  visible,
  waitForMessage,
} from './helpers/app';
import { launchChromium } from './helpers/browser';
import { buildWebApp } from './helpers/build';
import { filesContaining } from './helpers/leaks';

const run = Date.now().toString(36).slice(-6);
const alice = { name: `alice${run}`, password: 'alice has a long passphrase' };
const bob = { name: `bob${run}`, password: 'bob has an even longer one' };
// Unique, so a hit on disk can only be this run's plaintext.
/** The request note is not end-to-end encrypted (the server delivers it): the scan must find it, or it reads nothing. */
const note = `hi bob, alice from the e2e test ${run}`;
const secrets = {
  hello: `hello bob, the parcel code is ${run}-7421`,
  reply: `got it alice — meet at pier ${run} at noon`,
  after: `after the reload: ${run} still here`,
};

let workDir: string;
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const newPage = async (): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
};

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-web-e2e-'));
  const dist = path.join(workDir, 'dist');
  const [started] = await Promise.all([
    buildWebApp(dist).then(() =>
      startStack({ services: ['auth', 'messages', 'realtime'], gatewayEnv: { LOCKBOX_WEB_DIST: dist } }),
    ),
  ]);
  stack = started;
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('web app in Chromium', () => {
  let alicePage: Page;
  let bobPage: Page;

  it('serves the app with its content security policy', async () => {
    const res = await fetch(`${stack.gatewayUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<div id="root">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });

  it('two people register, find each other and connect: the request shows up live', async () => {
    [alicePage, bobPage] = await Promise.all([newPage(), newPage()]);
    await register(alicePage, stack.gatewayUrl, alice.name, alice.password);
    await register(bobPage, stack.gatewayUrl, bob.name, bob.password);

    await requestChat(alicePage, bob.name, note);
    const outgoing = alicePage.getByRole('listitem', { name: `Your request to ${bob.name}` });
    await visible(outgoing);

    const incoming = bobPage.getByRole('listitem', { name: `Chat request from ${alice.name}` });
    await visible(incoming); // arrived over the WebSocket: bob's page was not reloaded
    await visible(incoming.getByText(note));
    await incoming.getByRole('button', { name: 'Accept', exact: true }).click();

    await visible(conversation(bobPage, alice.name));
    await visible(chatLink(alicePage, bob.name)); // the acceptance reached alice live too
    await outgoing.waitFor({ state: 'detached' });
  });

  it('messages travel live in both directions, with read receipts', async () => {
    await openChat(alicePage, bob.name);
    await send(alicePage, secrets.hello);
    await waitForMessage(alicePage, secrets.hello);
    await waitForMessage(bobPage, secrets.hello);
    // Bob has the conversation open, so it is read at once and alice sees the receipt.
    await visible(messages(alicePage).getByText('Read'));

    await bobPage.getByLabel('Message').fill(secrets.reply);
    await bobPage.getByRole('button', { name: 'Send', exact: true }).click();
    await waitForMessage(alicePage, secrets.reply);
    await waitForMessage(bobPage, secrets.reply);
    expect(await bobPage.getByLabel('Message').inputValue()).toBe('');
  });

  it('a reload keeps the session and the conversation', async () => {
    await alicePage.reload();
    await signedIn(alicePage);
    await waitForMessage(alicePage, secrets.hello);
    await waitForMessage(alicePage, secrets.reply);
    // Still live after the reload.
    await send(bobPage, secrets.after);
    await waitForMessage(alicePage, secrets.after);
  });

  it('a fresh browser signs in as alice and reads the decrypted history', async () => {
    const fresh = await newPage();
    await signIn(fresh, stack.gatewayUrl, alice.name, 'not the password');
    await visible(fresh.getByRole('alert').getByText('Wrong username or password.'), SLOW_MS);

    await fresh.getByLabel('Password').fill(alice.password);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await signedIn(fresh);
    await openChat(fresh, bob.name);
    for (const text of Object.values(secrets)) await waitForMessage(fresh, text);

    // Sign out takes the keys with it: a reload lands on the sign-in screen.
    await fresh.getByRole('button', { name: 'Sign out' }).click();
    await visible(fresh.getByRole('button', { name: 'Sign in' }));
    await fresh.reload();
    await visible(fresh.getByRole('button', { name: 'Sign in' }));
    const stored = await fresh.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const req = indexedDB.open('lockbox');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const keys = req.result.transaction('kv').objectStore('kv').getAllKeys();
            keys.onsuccess = () => resolve(keys.result.map(String));
          };
        }),
    );
    expect(stored.filter((k) => k === 'identity' || k === 'session' || k === 'account')).toEqual([]);
  });

  it('no page threw', () => {
    expect(pageErrors).toEqual([]);
  });

  it('no message text reached the data directory or the logs', async () => {
    await stack.stop(); // flush and close every file first
    const dirs = [stack.dataDir, stack.logDir];
    const control = filesContaining(dirs, [note]);
    expect(control.hits.length).toBeGreaterThan(0); // the scan does see what the database holds
    const scan = filesContaining(dirs, Object.values(secrets));
    expect(scan.files).toBeGreaterThan(0);
    expect(scan.hits).toEqual([]);
  });
});
