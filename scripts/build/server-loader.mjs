#!/usr/bin/env node
/**
 * dist/hosts/cli/main.js, written by scripts/build/bundle-server.mjs: runs the bundled CLI (server.cjs beside
 * it) through a V8 code cache, so that a start deserializes the bytecode of what a start runs instead of
 * parsing and compiling megabytes of JavaScript (issue 13; Node 20 has no `module.enableCompileCache`).
 *
 * - The cache is written once, by the first `serve` to reach ready (so it holds what a start compiles, not
 *   every function a long run compiles later), beside the bundle, or in the user's cache folder where dist/
 *   cannot be written (a global install). Where neither can, every start compiles, as without a cache.
 * - Its name holds the bundle's hash (set at build time: V8 checks little of the source a cache belongs to)
 *   and the Node version and flags (V8 refuses a cache made by another V8 or under other flags).
 * - `import()` in the bundle (store clients, third-party plugins) is resolved from here, the bundle's folder.
 * - V8's young generation is held at its initial size until the command has started (see holdYoungGeneration).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Replaced by the build with the bundle's content hash. */
const BUNDLE_HASH = '__BUNDLE_HASH__';
/** Announced by `serve` once it answers (SERVE_READY_EVENT in hosts/cli/loader-events.ts). */
const READY_EVENT = 'agentos-comms:ready';
/** Announced by `serve` (after READY_EVENT) and `stdio` once started (STARTED_EVENT, same file). */
const STARTED_EVENT = 'agentos-comms:started';
/** V8's own growth factor of the young generation (`--semi-space-growth-factor`), restored once started. */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

const dir = dirname(fileURLToPath(import.meta.url));
const bundle = join(dir, 'server.cjs');
const runtime = createHash('sha256').update(`${process.version}\0${process.arch}\0${process.execArgv.join('\0')}`).digest('hex').slice(0, 12);
const cacheName = `server.${BUNDLE_HASH}.${runtime}.cache`;
const userCacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentos-comms');
const cacheFiles = [join(dir, cacheName), join(userCacheDir, cacheName)];

function readCache() {
  for (const file of cacheFiles) {
    try {
      return readFileSync(file);
    } catch {
      // not there (yet): the next place, else this start compiles and a serve writes one
    }
  }
  return undefined;
}

function writeCache(data) {
  for (const file of cacheFiles) {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Written aside then renamed: servers starting together never read a half-written cache.
      const partial = `${file}.${process.pid}`;
      try {
        writeFileSync(partial, data);
        renameSync(partial, file);
        return;
      } catch (err) {
        rmSync(partial, { force: true });
        throw err;
      }
    } catch {
      // not writable (a read-only install, a full disk): the next place, else starts go on compiling
    }
  }
}

/** Compiles the bundle, from the cache when V8 takes it; neither the source text nor the cache is held here after. */
function compile() {
  const cachedData = readCache();
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __importMeta) {${readFileSync(bundle, 'utf8')}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: (specifier) => import(specifier),
  });
  return { script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * A start allocates ~50 MB, most of it kept (modules, MikroORM's metadata, the DI container). V8 grows its young
 * generation on such survival, up to two 16 MB semi-spaces (15–22 MB of RSS), and shrinks it back only at a
 * collection that finds allocation slow since the previous one: an idle server has few collections, and on
 * PostgreSQL (pg-boss's polling, the periodic jobs) not even a full one 5 s after ready found it slow (issue 13:
 * idle RSS under 100 MB). `--max-semi-space-size` would cap it but is read only when V8 starts; the growth factor
 * is read at each growth: at 1 the young generation keeps its initial size (what survives is promoted, as it
 * would be), and once the command has started it may grow again, for a server under load. V8 raises a factor
 * under 2 given on the command line, and takes it as is at run time (Node 20); a V8 that raised it here too
 * would start as before. Left alone when the user set the factor. Set before compiling: V8 takes a code cache
 * only under the flags it was made with, so the cache is written (at ready) before the factor is restored.
 */
function holdYoungGeneration() {
  if (/--semi[-_]space[-_]growth[-_]factor/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  process.once(STARTED_EVENT, () => v8.setFlagsFromString(`--semi-space-growth-factor=${V8_SEMI_SPACE_GROWTH_FACTOR}`));
}

holdYoungGeneration();
const { script, cached } = compile();
if (!cached) process.once(READY_EVENT, () => writeCache(script.createCachedData()));

const module = { exports: {} };
const importMeta = { url: pathToFileURL(bundle).href, dirname: dir, filename: bundle, resolve: (specifier) => import.meta.resolve(specifier) };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dir, importMeta);
