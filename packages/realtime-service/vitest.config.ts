import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'realtime-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each integration file starts a whole stack (auth, messages, realtime, gateway): one fork runs the
    // files in turn, so on a 2-core machine stacks don't starve each other into start-up timeouts.
    poolOptions: { forks: { singleFork: true } },
    // Integration tests start real processes: generous hooks, polling instead of sleeps, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
