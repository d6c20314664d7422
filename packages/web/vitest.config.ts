import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-build.ts'],
    // The browser test builds the app, starts the stack and runs argon2id in Chromium.
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
