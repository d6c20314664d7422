import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'message-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Integration tests start real processes (PGlite boots in seconds): generous hooks, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
