import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // The end-to-end test starts every service and runs argon2id per login.
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
