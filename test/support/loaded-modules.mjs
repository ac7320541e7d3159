// Preloaded into a server process by a test (NODE_OPTIONS=--import …): at exit, the file named by
// COMMS_TEST_LOADED_MODULES lists every module the process loaded, one path or URL a line: ES modules
// through a load hook (loaded-modules-hook.mjs), CommonJS ones from require.cache.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.COMMS_TEST_LOADED_MODULES;
if (file) {
  register('./loaded-modules-hook.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(file, `${Object.keys(require.cache).join('\n')}\n`));
}
