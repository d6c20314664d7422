/**
 * What a person does in the web app, through the accessible names a screen
 * reader would announce (the same names the issue fixes). Every wait polls
 * (Playwright's auto-waiting locators), none sleeps.
 */
import type { Locator, Page } from 'playwright-core';

/** argon2id at 64 MiB in the page, plus a first key fetch: generous on a shared 2-core machine. */
export const SLOW_MS = 60_000;
export const LIVE_MS = 20_000;

export const visible = (locator: Locator, timeout = LIVE_MS) =>
  locator.waitFor({ state: 'visible', timeout });

export const signedIn = (page: Page) => visible(page.getByRole('button', { name: 'Sign out' }), SLOW_MS);

export const register = async (page: Page, baseUrl: string, username: string, password: string) => {
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await signedIn(page);
};

export const signIn = async (page: Page, baseUrl: string, username: string, password: string) => {
  await page.goto(baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

export const requestChat = async (page: Page, username: string, note?: string) => {
  await page.getByLabel('Search users').fill(username.slice(0, 5));
  const results = page.getByRole('region', { name: 'Search results' });
  await results.getByRole('button', { name: username }).click();
  if (note) await results.getByLabel(/Note/).fill(note);
  await results.getByRole('button', { name: 'Send chat request' }).click();
  await visible(page.getByRole('status').filter({ hasText: `Chat request sent to ${username}` }));
};

export const chatLink = (page: Page, username: string) =>
  page.getByRole('region', { name: 'Chats' }).getByRole('link', { name: username });

export const openChat = async (page: Page, username: string) => {
  await chatLink(page, username).click();
  await visible(conversation(page, username));
};

export const conversation = (page: Page, username: string) =>
  page.getByRole('region', { name: `Conversation with ${username}` });

export const messages = (page: Page) => page.getByRole('list', { name: 'Chat history' });

export const send = async (page: Page, text: string) => {
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
};

export const waitForMessage = (page: Page, text: string, timeout = LIVE_MS) =>
  visible(messages(page).getByText(text, { exact: true }), timeout);
