import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'message-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // No singleFork: in the root run vitest 3 holds single-fork projects back until every other file
    // has finished, then runs them one after another on one worker while the other idles. The root's
    // maxWorkers (2) already bounds how many stacks start at once.
    // Integration tests start real processes (PGlite boots in seconds): generous hooks, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
