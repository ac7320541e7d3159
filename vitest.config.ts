import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Outside node_modules, which `npm ci` deletes: Vitest keeps each file's last duration here and starts the
  // longest files first, so that the run does not end on one long file with the other workers idle.
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
    globalSetup: ['test/support/postgres-global-setup.ts'],
  },
});
