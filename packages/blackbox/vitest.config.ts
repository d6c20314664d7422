import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'blackbox',
    include: ['test/**/*.test.ts'],
    // Whole stacks of real processes, killed and restarted: generous hooks, no timing asserts.
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
