import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The admin console, built into dist/admin-console and served by the Koa host under /admin. Nothing inline
 * (the console's CSP forbids inline script and style): no module-preload polyfill, no assets inlined as data URLs.
 */
export default defineConfig({
  root: here('.'),
  base: '/admin/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/admin-console'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: { input: { index: here('index.html'), 'api-docs': here('api-docs.html') }, checks: { pluginTimings: false } },
  },
});
