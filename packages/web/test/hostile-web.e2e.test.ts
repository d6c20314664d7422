/**
 * The web slice of issue 11 in Chromium, with the app served through the
 * hostile-server harness (here passing everything through):
 * - finding 3: two builds of the same source in different folders are byte
 *   for byte the same, and so is their release manifest (lockbox verify-web,
 *   tested in packages/cli/test/verify-web.test.ts, relies on it);
 * - finding 11: after sign-in the raw IndexedDB holds no identity seed, vault
 *   key or token in clear, the wrapping key is a non-extractable CryptoKey,
 *   a reload still signs in, and an earlier version's clear values are sealed
 *   on first open; argon2id runs in a Web Worker, not on the main thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crypto, LockboxSession, MemoryStore } from '@lockbox/client';
import {
  buildWebApp,
  type HostileServer,
  REPO_ROOT,
  type Stack,
  startHostileServer,
  startStack,
} from '@lockbox/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { register, SLOW_MS, signedIn } from './helpers/app';
import { launchChromium } from './helpers/browser';
import {
  countMainThreadWasm,
  mainThreadWasmCount,
  plantProfileStore,
  rawProfileStore,
  wrappingKeyFacts,
} from './helpers/storage-web';

const run = Date.now().toString(36).slice(-6);
const dave = { name: `dave${run}`, password: 'dave keeps a long passphrase' };
const erin = { name: `erin${run}`, password: 'erin signed in with an old version' };
const SECRET_KEYS = ['identity', 'session', 'vault-key'];

let workDir: string;
let distA: string;
let distB: string;
let stack: Stack;
let hostile: HostileServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

const newPage = async (): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  return context.newPage();
};

const filesOf = (root: string, dir = root): string[] =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesOf(root, path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name))],
    )
    .sort();

/** Every way a secret could sit in the store: base64 (how the SDK writes it) and hex. */
const encodings = (bytes: Uint8Array) => [crypto.toBase64(bytes), Buffer.from(bytes).toString('hex')];

/** What the SDK holds for an account: its identity seeds and vault key, as another device restores them. */
const sdkSecrets = async (username: string, password: string): Promise<string[]> => {
  const s = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  const { user_id } = await s.account.login(username, password);
  const identities = (await s.profile.identities(user_id)) ?? [];
  const vaultKey = await s.profile.vaultKey(user_id);
  expect(identities.length).toBeGreaterThan(0);
  expect(vaultKey).toBeDefined();
  await s.account.logout();
  return [
    ...identities.flatMap((i) => [...encodings(i.signingSeed), ...encodings(i.kemSeed)]),
    ...encodings(vaultKey as Uint8Array),
  ];
};

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-web-hostile-'));
  // The run's shared build (test/global-build.ts) and a second one here, in another folder.
  distA = inject('webDist');
  distB = path.join(workDir, 'second', 'elsewhere', 'dist');
  await buildWebApp(distB);
  stack = await startStack({
    services: ['auth', 'messages', 'realtime'],
    gatewayEnv: { LOCKBOX_WEB_DIST: distA },
  });
  hostile = await startHostileServer(stack.gatewayUrl);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await hostile?.close();
  await stack?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('server-delivered web code: a checkable build', () => {
  it('two builds in different folders are byte-identical, manifest included', () => {
    const files = filesOf(distA);
    expect(filesOf(distB)).toEqual(files);
    expect(files).toContain('lockbox-web-manifest.json');
    for (const f of files)
      expect(fs.readFileSync(path.join(distB, f)).equals(fs.readFileSync(path.join(distA, f))), f).toBe(true);
  });

  it('the manifest lists every file with its sha256 and no build path leaks into the output', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(distA, 'lockbox-web-manifest.json'), 'utf8'));
    const files = filesOf(distA).filter((f) => f !== 'lockbox-web-manifest.json');
    expect(Object.keys(manifest.files)).toEqual(files);
    const { createHash } = await import('node:crypto');
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    for (const f of files) expect(manifest.files[f]).toBe(sha(fs.readFileSync(path.join(distA, f))));
    expect(manifest.digest).toBe(sha(files.map((f) => `${manifest.files[f]}  ${f}\n`).join('')));
    for (const f of files) {
      const text = fs.readFileSync(path.join(distA, f), 'utf8');
      expect(text.includes(REPO_ROOT), f).toBe(false);
      expect(text.includes(path.dirname(distA)), f).toBe(false);
      expect(text.includes(workDir), f).toBe(false);
    }
  });
});

describe('secrets at rest and argon2id in the browser', () => {
  let page: Page;
  const tokens: string[] = [];
  const workers: string[] = [];

  it('signs in with argon2id in a Web Worker, never on the main thread', async () => {
    page = await newPage();
    page.on('worker', (w) => workers.push(w.url()));
    page.on('response', async (res) => {
      if (!/\/trpc\/auth\.(register|login|refresh)/.test(res.url())) return;
      const body = (await res.json().catch(() => undefined)) as
        | { result?: { data?: { access_token?: string; refresh_token?: string } } }
        | undefined;
      const data = body?.result?.data;
      if (data?.access_token) tokens.push(data.access_token);
      if (data?.refresh_token) tokens.push(data.refresh_token);
    });
    await countMainThreadWasm(page);
    await register(page, hostile.url, dave.name, dave.password);
    expect(workers.some((u) => /\/assets\/argon2\.worker-[^/]+\.js$/.test(u))).toBe(true);
    expect(await mainThreadWasmCount(page)).toBe(0);
    // The proxy saw the registration: the page talked to the server the test controls.
    expect(hostile.calls.some((c) => c.path === 'auth.register')).toBe(true);
  });

  it('keeps no identity seed, vault key or token in clear in IndexedDB', async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const raw = await rawProfileStore(page);
    const secrets = [...(await sdkSecrets(dave.name, dave.password)), ...tokens];
    const dump = JSON.stringify(raw);
    for (const secret of secrets) expect(dump.includes(secret), 'a secret in clear').toBe(false);
    for (const key of SECRET_KEYS) expect(raw[key], key).toMatch(/^wrapped\.v1:[A-Za-z0-9+/=]+$/);
    // The dump is the real store: the account record beside the secrets is readable.
    expect(dump).toContain(dave.name);
  });

  it('wraps them with a non-extractable AES-GCM key that the page cannot export', async () => {
    expect(await wrappingKeyFacts(page)).toEqual({
      isCryptoKey: true,
      extractable: false,
      algorithm: 'AES-GCM',
      length: 256,
      usages: ['decrypt', 'encrypt'],
      exportError: 'InvalidAccessError',
    });
  });

  it('a reload still signs in, from the wrapped values', async () => {
    await page.reload();
    await signedIn(page);
  });

  it(
    'seals the clear values an earlier version left, on first open, and stays signed in',
    async () => {
      // Erin signed in with an earlier version: its store holds her secrets in clear.
      const earlier = new MemoryStore();
      const old = await LockboxSession.open({ baseUrl: hostile.url, store: earlier });
      await old.account.register(erin.name, erin.password);
      const clear: Record<string, string> = {};
      for (const key of await earlier.keys('')) clear[key] = (await earlier.get(key)) as string;
      for (const key of SECRET_KEYS) expect(clear[key]?.startsWith('{')).toBe(true);

      const erinPage = await newPage();
      await erinPage.goto(`${hostile.url}/favicon.svg`); // this origin, without running the app
      await plantProfileStore(erinPage, clear);
      await erinPage.goto(hostile.url);
      await signedIn(erinPage);

      const raw = await rawProfileStore(erinPage);
      for (const key of SECRET_KEYS) {
        expect(raw[key], key).toMatch(/^wrapped\.v1:/);
        expect(raw[key]).not.toBe(clear[key]);
      }
      const { user_id } = old.user ?? { user_id: '' };
      const seeds = ((await old.profile.identities(user_id)) ?? []).flatMap((i) => encodings(i.signingSeed));
      expect(seeds.length).toBeGreaterThan(0);
      for (const seed of seeds) expect(JSON.stringify(raw).includes(seed)).toBe(false);
    },
    SLOW_MS * 3,
  );
});
