/**
 * What every malicious-server browser test starts: the real stack serving the
 * run's web build, a hostile server in front of it (the page is loaded from
 * `hostile.url`), and Debian's Chromium.
 */
import { type HostileServer, type Stack, startHostileServer, startStack } from '@lockbox/testkit';
import type { Browser } from 'playwright-core';
import { inject } from 'vitest';
import { launchChromium } from './browser';

export interface HostileWebStack {
  stack: Stack;
  hostile: HostileServer;
  browser: Browser;
  stop(): Promise<void>;
}

export const startHostileWebStack = async (): Promise<HostileWebStack> => {
  const stack = await startStack({
    services: ['auth', 'messages', 'realtime'],
    gatewayEnv: { LOCKBOX_WEB_DIST: inject('webDist') },
  });
  const hostile = await startHostileServer(stack.gatewayUrl);
  const browser = await launchChromium();
  return {
    stack,
    hostile,
    browser,
    stop: async () => {
      await browser.close();
      await hostile.close();
      await stack.stop();
    },
  };
};
