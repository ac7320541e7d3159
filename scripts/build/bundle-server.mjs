/**
 * Build step (after tsc): bundles the CLI (dist/hosts/cli/main.js, which `agentos-comms` runs) and what it
 * always loads into a few files, so that a starting server reads and links tens of files instead of about
 * two thousand (module resolution and loading were most of its start-up time, and their per-module records
 * and source text much of its memory; issue 13).
 *
 * - Code only reached through `import()` (each command, each adapter's plugin, the migrations) stays in its
 *   own chunk, loaded when used, as before.
 * - Dependencies a configuration may not use (vendor SDKs, store clients, the native SQLite driver) stay
 *   outside the bundle and load from node_modules when an adapter imports them: the start-up test
 *   (test/e2e/startup-lazy-modules.test.ts) still sees whether they are loaded.
 * - Every output file sits in dist/hosts/cli/, and tsc's files stay in dist/: a module that finds files
 *   from its own location (import.meta.url / dirname: the migrations folder, the prebuilt config validator,
 *   the admin console) is rewritten to find them from where tsc put it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const outdir = join(dist, 'hosts', 'cli');
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

const result = await build({
  entryPoints: [join(outdir, 'main.js')],
  outdir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: EXTERNAL,
  // Minified (less source text to hold in memory), names kept: MikroORM and inversify read class names,
  // and stack traces name their functions.
  keepNames: true,
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // CommonJS packages in an ES module bundle still call require() for node built-ins and externals.
  banner: { js: "import { createRequire as __bundledRequire } from 'node:module'; const require = __bundledRequire(import.meta.url);" },
  plugins: [keepOwnLocation],
});

// tsc's source map of main.js no longer describes it.
rmSync(join(outdir, 'main.js.map'), { force: true });

const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`bundled the CLI: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${pathToFileURL(outdir).pathname}`);
