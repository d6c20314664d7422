import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'message-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each file starts a whole stack (auth, messages, gateway; PGlite boots by initdb): one fork runs
    // the files in turn, so on a 2-core machine stacks don't starve each other into start-up timeouts.
    // (fileParallelism is a root-only option in vitest 3.)
    poolOptions: { forks: { singleFork: true } },
    // Integration tests start real processes (PGlite boots in seconds): generous hooks, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
