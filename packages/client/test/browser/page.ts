/**
 * A Chromium page with the SDK's browser bundle loaded, served by a small
 * local HTTP server (a real origin, so the gateway's CORS allow-list and the
 * realtime Origin check apply as they do to the web app). Used by the browser
 * test and by scripts/bench/crypto.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = () => fs.existsSync(CHROMIUM);

const HARNESS = path.join(path.dirname(new URL(import.meta.url).pathname), 'harness.ts');

/** Bundles `entry` (default: the SDK harness) for the browser; a node: import anywhere fails the build. */
export const bundleSdk = async (entry = HARNESS): Promise<string> => {
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
};

export interface SdkServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves `/` (a page that loads the bundle) and `/sdk.js` on 127.0.0.1. */
export const serveSdk = async (entry?: string): Promise<SdkServer> => {
  const code = await bundleSdk(entry);
  const server = http.createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(code);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><meta charset="utf-8"><title>sdk</title><script type="module" src="/sdk.js"></script>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

export interface SdkPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export const openSdkPage = async (origin: string): Promise<SdkPage> => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  page.on('pageerror', (err) => process.stderr.write(`page error: ${err.message}\n`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'lockbox' in globalThis);
  return { browser, page, close: () => browser.close() };
};
