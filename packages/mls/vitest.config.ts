import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mls',
    include: ['test/**/*.test.ts'],
    // X-Wing key generation and the browser test's bundle + Chromium start are slow on a loaded
    // 2-core machine; every wait inside the tests is still bounded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
