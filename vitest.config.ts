import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './scripts/test-sequencer';

// One run over every package; each package's own vitest.config.ts sets its timeouts.
export default defineConfig({
  test: {
    projects: ['contracts', 'gateway', 'packages/*', 'scripts/bench'],
    // Two test files at a time on this 2-core machine (vitest's default is cores - 1): most
    // files spend their time waiting on the stack's child processes, Chromium and databases.
    maxWorkers: 2,
    // Known-heavy files first, so no long file is left running alone at the end (see the file).
    sequence: { sequencer: HeavyFirstSequencer },
    passWithNoTests: true,
  },
});
