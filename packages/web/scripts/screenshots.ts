/**
 * The README's screenshots: starts the real stack on a fresh build, lets two
 * people connect and chat in Chromium, and saves PNGs of the sign-in screen,
 * a conversation and the safety-number dialog to docs/screenshots/.
 *
 *   pnpm --filter @lockbox/web screenshots
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWebApp, REPO_ROOT, startStack } from '@lockbox/testkit';
import {
  conversation,
  openChat,
  register,
  requestChat,
  send,
  visible,
  waitForMessage,
} from '../test/helpers/app';
import { launchChromium } from '../test/helpers/browser';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-shots-'));
const dist = path.join(work, 'dist');
await buildWebApp(dist);
const stack = await startStack({
  services: ['auth', 'messages', 'realtime'],
  gatewayEnv: { LOCKBOX_WEB_DIST: dist },
});
const browser = await launchChromium();
fs.mkdirSync(OUT, { recursive: true });
const shot = (name: string) => path.join(OUT, name);

try {
  const desktop = {
    viewport: { width: 1180, height: 760 },
    deviceScaleFactor: 1,
    colorScheme: 'light' as const,
  };
  const [a, b] = await Promise.all([browser.newContext(desktop), browser.newContext(desktop)]);
  const [alice, bob] = await Promise.all([a.newPage(), b.newPage()]);

  const phone = await browser.newContext({
    ...desktop,
    viewport: { width: 390, height: 760 },
    isMobile: true,
  });
  const signInPage = await phone.newPage();
  await signInPage.goto(stack.gatewayUrl);
  await signInPage.getByLabel('Username').fill('alice');
  await signInPage.getByLabel('Password').fill('correct horse battery staple');
  await signInPage.screenshot({ path: shot('sign-in.png') });

  await register(alice, stack.gatewayUrl, 'alice', 'correct horse battery staple');
  await register(bob, stack.gatewayUrl, 'bob', 'tr0ub4dor and then some');
  await requestChat(alice, 'bob', 'Hi Bob, it’s Alice from the climbing club!');
  await bob
    .getByRole('listitem', { name: 'Chat request from alice' })
    .getByRole('button', { name: 'Accept' })
    .click();
  await visible(conversation(bob, 'alice'));
  await openChat(alice, 'bob');

  const lines: Array<[typeof alice, string]> = [
    [alice, 'Hey Bob! Are we still on for Saturday?'],
    [bob, 'Yes! 9am at the north wall. Bring the long rope.'],
    [alice, 'Perfect. I’ll pick up coffee on the way.'],
    [bob, 'You’re the best. Also — did you compare safety numbers yet? The app says we’re not verified.'],
    [alice, 'Doing it now.'],
  ];
  for (const [page, text] of lines) {
    await send(page, text);
    await waitForMessage(alice, text);
    await waitForMessage(bob, text);
  }
  await bob.getByLabel('Message').pressSequentially('See you', { delay: 20 });
  await visible(alice.getByText('bob is typing…'));
  await alice.screenshot({ path: shot('conversation.png') });

  await alice.getByRole('button', { name: 'Safety number' }).click();
  await visible(alice.getByRole('list', { name: 'Safety number' }));
  await alice.screenshot({ path: shot('safety-number.png') });
  process.stdout.write(`screenshots in ${OUT}\n`);
} finally {
  await browser.close();
  await stack.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
