/**
 * The same library in Chromium: the package bundles for the browser (a node: import would fail
 * the build) and runs create → add → join → encrypt → decrypt → remove in a real page, with the
 * browser's own WebCrypto. Skipped where no Chromium is installed.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLOW = path.join(path.dirname(new URL(import.meta.url).pathname), 'flow.ts');

describe.skipIf(!fs.existsSync(CHROMIUM))('@lockbox/mls in Chromium', () => {
  let server: http.Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const built = await esbuild.build({
      entryPoints: [FLOW],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      // ts-mls loads this only for ML-DSA suites, which LockBox does not use; it is not installed.
      external: ['@noble/post-quantum/*'],
    });
    const code = built.outputFiles[0]!.text;
    server = http.createServer((req, res) => {
      if (req.url === '/flow.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(code);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><script type="module" src="/flow.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('creates a group, adds two devices by KeyPackage, and every device decrypts in the page', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.waitForFunction(() => 'runFlow' in globalThis, undefined, { timeout: 30_000 });
    const out = await page.evaluate(() =>
      (globalThis as unknown as { runFlow: () => Promise<unknown> }).runFlow(),
    );
    expect(errors).toEqual([]);
    expect(out).toEqual({
      b1: 'dev_a1: hello from Chromium',
      b2: 'dev_a1: hello from Chromium',
      a1: 'dev_b1: reply',
      b2Removed: 'true',
      b1After: 'after removal',
      b2After: 'removed',
    });
  });
});
