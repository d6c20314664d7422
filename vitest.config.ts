import { defineConfig } from 'vitest/config';

// One run over every package; each package's own vitest.config.ts sets its timeouts.
export default defineConfig({
  test: {
    projects: ['contracts', 'gateway', 'packages/*'],
    passWithNoTests: true,
  },
});
