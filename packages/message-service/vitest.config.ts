import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'message-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    passWithNoTests: true,
    // Each file starts a whole stack (auth, messages, gateway; PGlite boots by initdb): one file at a
    // time on a 2-core machine, so stacks don't starve each other into start-up timeouts.
    fileParallelism: false,
    // Integration tests start real processes (PGlite boots in seconds): generous hooks, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
