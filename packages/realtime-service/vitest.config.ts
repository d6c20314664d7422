import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'realtime-service',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Integration tests start real processes: generous hooks, polling instead of sleeps, no timing asserts.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
