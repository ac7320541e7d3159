import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first-sequencer.js';

export default defineConfig({
  // Outside node_modules, which `npm ci` deletes: each file's last duration is kept here, and the sequencer
  // starts the longest files first.
  cacheDir: '.vitest-cache',
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: a single worker on CI's 2 cores, though most e2e
    // files spend their time waiting on child processes (servers, HAProxy, Chromium, npm) and the network.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: LongestFirstSequencer },
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
