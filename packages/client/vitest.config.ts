import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'client',
    include: ['test/**/*.test.ts'],
    // Integration tests start the real stack; argon2id at 64 MiB takes a while per login.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
