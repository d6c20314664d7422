import { defineProject } from 'vitest/config';

// Only the benches' pure parts are tested here (no stacks, no timing); the benches themselves are run by hand.
export default defineProject({
  test: {
    name: 'bench',
    include: ['test/**/*.test.ts'],
  },
});
