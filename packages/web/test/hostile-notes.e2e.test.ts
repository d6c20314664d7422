/**
 * Chat-request notes in the web app against a malicious server (issue 11,
 * finding 12), in Debian's Chromium: Bob's browser talks to the hostile proxy
 * in front of the real stack (which serves a fresh build of the app). A sealed
 * note shows as text; a legacy plaintext note carries a visible "sent
 * unencrypted" label; a note the server swapped for one sealed to someone
 * else, or moved onto another sender's request, is a visible warning and its
 * text is shown nowhere. The senders are SDK sessions in Node.
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import type { HostileServer, Stack } from '@lockbox/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_MS, register, SLOW_MS, signedIn, visible } from './helpers/app';
import { type HostileWebStack, startHostileWebStack } from './helpers/hostile-web-stack';

const run = Date.now().toString(36).slice(-6);
const bob = { name: `bobn${run}`, password: 'bob has a long passphrase' };
const notes = {
  alice: `alice says hi ${run}`,
  curl: `curl says hi ${run}`,
  carol: `carol says hi ${run}`,
  dave: `only for dave ${run}`,
};

type Sealed = { encrypted_blob: string; signature: string };
type RawRequest = Record<string, unknown> & { from_user_id: string };

let web: HostileWebStack;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** A sender in Node, through the hostile server (so the test can see what it sent). */
const sender = async (base: string) => {
  const s = await LockboxSession.open({ baseUrl: hostile.url, store: new MemoryStore() });
  const name = `${base}${run}`;
  const account = await s.account.register(name, `${name} has a long passphrase`);
  return { s, name, id: account.user_id };
};

const sentNote = (toId: string): Sealed => {
  const send = [...hostile.calls]
    .reverse()
    .find((c) => c.path === 'chatRequests.send' && (c.input as { to_user_id?: string }).to_user_id === toId);
  if (!send) throw new Error(`no request to ${toId} was sent`);
  return (send.input as { sealed_message: Sealed }).sealed_message;
};

const requestFrom = (name: string) => page.getByRole('listitem', { name: `Chat request from ${name}` });

beforeAll(async () => {
  web = await startHostileWebStack();
  ({ stack, hostile, browser } = web);
  page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await web?.stop();
});

describe('request notes in the web app against a hostile server', () => {
  let alice: Awaited<ReturnType<typeof sender>>;
  let carol: Awaited<ReturnType<typeof sender>>;
  let erin: Awaited<ReturnType<typeof sender>>;

  it('a sealed note shows as text, live', async () => {
    await register(page, hostile.url, bob.name, bob.password);
    alice = await sender('alicen');
    await alice.s.requests.send(bob.name, notes.alice);
    const incoming = requestFrom(alice.name);
    await visible(incoming);
    await visible(incoming.getByText(notes.alice));
    expect(await incoming.getByRole('alert').count()).toBe(0);
  });

  it('a legacy plaintext note is labelled as sent unencrypted', async () => {
    const curlName = `curln${run}`;
    const reg = await fetch(`${stack.gatewayUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: curlName, password: 'correct horse battery' }),
    });
    const { access_token: token } = (await reg.json()) as { access_token: string };
    const sent = await fetch(`${stack.gatewayUrl}/chat-requests/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ to_username: bob.name, message: notes.curl }),
    });
    expect(sent.status).toBe(201);
    const incoming = requestFrom(curlName);
    await visible(incoming);
    await visible(incoming.getByText(notes.curl));
    await visible(incoming.getByText('Sent unencrypted (the server can read and change it).'));
  });

  it('a swapped note and a re-attributed note are visible warnings, their text shown nowhere', async () => {
    carol = await sender('caroln');
    erin = await sender('erinn');
    const dave = await sender('daven');
    await carol.s.requests.send(dave.name, notes.dave);
    const forDave = sentNote(dave.id);
    await carol.s.requests.send(bob.name, notes.carol);
    await visible(requestFrom(carol.name).getByText(notes.carol));

    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => {
        if (r.from_user_id === carol.id) return { ...r, sealed_message: forDave };
        if (r.from_user_id === alice.id)
          return { ...r, from_user_id: erin.id, from_user: { id: erin.id, username: erin.name } };
        return r;
      }),
    );
    await page.reload();
    await signedIn(page);

    const swapped = requestFrom(carol.name);
    await visible(swapped.getByRole('alert'), SLOW_MS);
    await visible(swapped.getByText(/The note with this request was refused and is not shown/));
    const moved = requestFrom(erin.name);
    await visible(moved.getByRole('alert'), LIVE_MS);
    await visible(moved.getByText(/\(metadata_mismatch\)/));
    for (const text of [notes.dave, notes.carol, notes.alice])
      expect(await page.getByText(text).count(), text).toBe(0);
  });

  it('no page threw', () => {
    expect(pageErrors).toEqual([]);
  });
});
