/**
 * Build step (after tsc): bundles the CLI (dist/hosts/cli/main.js, which `agentos-comms` runs) and what it
 * loads into one CommonJS file, dist/hosts/cli/server.cjs, run by a small loader written over tsc's main.js
 * (server-loader.mjs) through a V8 code cache: a start reads one file instead of about two thousand, and
 * deserializes bytecode instead of parsing and compiling it (issue 13).
 *
 * - Code only reached through `import()` (each command, each adapter's plugin, the migrations) is in the
 *   file but runs only when imported, as before; V8 compiles a function only when it is first called.
 * - Dependencies a configuration may not use (vendor SDKs, store clients, the native SQLite driver) stay
 *   outside the bundle and load from node_modules when an adapter imports them: the start-up test
 *   (test/e2e/startup-lazy-modules.test.ts) still sees whether they are loaded.
 * - The bundle sits in dist/hosts/cli/, and tsc's files stay in dist/: a module that finds files from its
 *   own location (import.meta.url / dirname: the migrations folder, the prebuilt config validator, the admin
 *   console) is rewritten to find them from where tsc put it.
 * - BUNDLE_METAFILE=<file> writes esbuild's metafile there (what the bundle holds, per input).
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const outdir = join(dist, 'hosts', 'cli');
const bundleFile = join(outdir, 'server.cjs');
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Dependencies bundled: what every server (or the migration of a new database) loads. */
const BUNDLED = new Set([
  '@koa/cors', '@koa/router', '@mikro-orm/better-sqlite', '@mikro-orm/core', '@mikro-orm/knex', '@mikro-orm/migrations',
  '@mikro-orm/postgresql', '@modelcontextprotocol/sdk', 'ajv', 'ajv-formats', 'dotenv', 'env-paths', 'helmet',
  'inversify', 'ipaddr.js', 'jose', 'koa', 'koa-helmet', 'pino', 'rate-limiter-flexible',
  'reflect-metadata', 'ws', 'yaml', 'zod', 'zod-to-json-schema',
]);

/**
 * Left to node_modules: every other dependency, and the drivers knex and MikroORM require only for a
 * dialect (they are not installed; knex's code for them is never called here).
 */
const EXTERNAL = [
  ...Object.keys(dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]),
  'pg-native', 'pg-query-stream', 'mysql', 'mysql2', 'oracledb', 'tedious', 'sqlite3', '@mikro-orm/entity-generator',
  '@mikro-orm/seeder', '@mikro-orm/cli', 'mariadb', 'libsql', '@libsql/*', 'ts-node', 'typescript', 'better-sqlite3',
];

/** import.meta of a tsc-built module, as seen from the bundle: its location in dist/ (see above). */
const keepOwnLocation = {
  name: 'keep-own-location',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.')) return { contents: source, loader: 'js' };
      const fromOut = relative(outdir, args.path).split(sep).join('/');
      const dirFromOut = relative(outdir, dirname(args.path)).split(sep).join('/') || '.';
      const contents = source
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`)
        .replaceAll('import.meta.dirname', `__bundledJoin(import.meta.dirname, ${JSON.stringify(dirFromOut)})`);
      return { contents: `import { join as __bundledJoin } from 'node:path';\n${contents}`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * esbuild's keepNames helper, made to define `name` only where it tells something: on a class or a `function`
 * (constructors, whose names MikroORM and inversify read) that does not carry it already. Identifiers are not
 * shortened, so nearly every one does, and only those esbuild renamed (top-level names of two modules that collide)
 * need it. Arrow functions, async functions and methods (no own `prototype`: never constructed, never looked up by
 * name) are left as created: a closure made per request (Koa's `onerror`, on-finished's listeners, a body
 * reader's handlers) no longer pays an Object.defineProperty (~0.3 µs, and a map of its own) each time; in a stack
 * trace it shows as anonymous, at its place in the bundle. The helper is matched exactly: a new esbuild that spells
 * it otherwise fails the build rather than silently keeping the per-closure cost.
 */
function skipRedundantNames(source) {
  const helper = 'var __name=(target,value)=>__defProp(target,"name",{value,configurable:!0});';
  const parts = source.split(helper);
  if (parts.length !== 2) throw new Error(`bundle-server: esbuild's __name helper found ${parts.length - 1} times, expected once`);
  // Object.hasOwn, not `target.prototype`: reading a function's prototype makes the object it would be.
  return parts.join('var __name=(target,value)=>!Object.hasOwn(target,"prototype")||target.name===value?target:__defProp(target,"name",{value,configurable:!0});');
}

const result = await build({
  entryPoints: [join(outdir, 'main.js')],
  outfile: bundleFile,
  bundle: true,
  // One CommonJS file, run through a V8 code cache by the loader (see server-loader.mjs); code reached through
  // `import()` is still evaluated only when imported, and V8 compiles a function only when first called.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // import.meta of the ES modules bundled: the loader's stand-in (the bundle's location, and resolve from it).
  define: { 'import.meta': '__importMeta' },
  // Minified (less source text to hold in memory), names kept: MikroORM and inversify read class names,
  // and stack traces name their functions. Identifiers are not shortened: keepNames gives every function and
  // class its name back with a call to esbuild's __name (an Object.defineProperty) wherever one is created, which
  // for a closure made per request (Koa's, on-finished's, ours) is on every request — about 4 % of a webhook's
  // CPU. Under their own names most already carry the right one, and the call is skipped (skipRedundantNames).
  keepNames: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [keepOwnLocation],
});

// The entry's `#!` line (kept by esbuild) is no JavaScript inside the loader's function wrapper.
const bundled = skipRedundantNames(readFileSync(bundleFile, 'utf8').replace(/^#!.*/, ''));
writeFileSync(bundleFile, bundled);
// tsc's main.js becomes the loader (tsc's source map of it no longer describes it).
const hash = createHash('sha256').update(bundled).digest('hex').slice(0, 16);
writeFileSync(join(outdir, 'main.js'), readFileSync(join(import.meta.dirname, 'server-loader.mjs'), 'utf8').replace('__BUNDLE_HASH__', hash));
rmSync(join(outdir, 'main.js.map'), { force: true });

if (process.env.BUNDLE_METAFILE) writeFileSync(process.env.BUNDLE_METAFILE, JSON.stringify(result.metafile));
const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`bundled the CLI: ${outputs.length} file, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${pathToFileURL(outdir).pathname}`);
