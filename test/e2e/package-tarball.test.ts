import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

const run = promisify(execFile);
const MINUTE = 60_000;

/**
 * Install scripts of runtime dependencies known to succeed under npm (better-sqlite3 downloads a prebuilt
 * binary, or compiles). Anything else (msedge-tts's `npx only-allow pnpm` was one) can break a user's install.
 */
const KNOWN_INSTALL_SCRIPTS: Readonly<Record<string, string>> = { 'better-sqlite3': 'install: prebuild-install || node-gyp rebuild --release' };

/**
 * CI installs exactly as a user does, install scripts included (better-sqlite3 compiles here: minutes).
 * Elsewhere the install skips scripts and reuses this checkout's compiled better-sqlite3, so `npm test`
 * stays quick; the check of every dependency's install scripts runs in both.
 */
const FULL_INSTALL = process.env.CI === 'true' || process.env.COMMS_TEST_FULL_INSTALL === '1';

/** Left out of the checkout's copy that is packed: what the build makes or the pack never holds (node_modules is linked). */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'data', 'coverage']);

describe('the packed tarball, installed into an empty folder', { timeout: 5 * MINUTE }, () => {
  const packDir = tempDir('agentos-pack-');
  const installDir = tempDir('agentos-install-');
  const dataDir = tempDir('agentos-pkg-data-');
  const env = { ...process.env, COMMS_DATA_DIR: dataDir, COMMS_CONFIG: '', PORT: '0', LOG_LEVEL: 'warn' };
  let tarball = '';
  const bin = () => join(installDir, 'node_modules', '.bin', 'agentos-comms');

  beforeAll(async () => {
    // prepack builds dist/ first, as `npm publish` does: in a copy of the checkout, whose own dist/ other test
    // files serve the admin console from (the build starts by deleting dist/).
    const checkout = tempDir('agentos-pack-src-');
    cpSync(REPO_ROOT, checkout, { recursive: true, filter: (src) => !NOT_COPIED.has(relative(REPO_ROOT, src)) });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: checkout, maxBuffer: 16 * 1024 * 1024 });
    tarball = join(packDir, packed.stdout.trim().split('\n').pop()!);
    writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'empty-project', private: true, allowScripts: { 'better-sqlite3': true } }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(FULL_INSTALL ? [] : ['--ignore-scripts']), tarball], { cwd: installDir, maxBuffer: 16 * 1024 * 1024 });
    if (!FULL_INSTALL) cpSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'build'), join(installDir, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
  }, 15 * MINUTE);

  let server: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  /** The URL from a starting `serve`'s banner. */
  const listening = (child: ReturnType<typeof spawn>): Promise<string> => new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });

  it('holds the built dist/, the config defaults, docs, LICENSE and server.json; no sources or tests', async () => {
    const { stdout } = await run('tar', ['tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
    const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const file of ['dist/hosts/cli/main.js', 'config/default.yaml', 'config/schema.json', 'LICENSE', 'README.md', 'server.json', 'package.json', 'docs/SETUP.md', 'dist/admin-console/index.html', 'dist/admin-console/api-docs.html']) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('console/') || f.startsWith('docs/images/') || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.map'))).toEqual([]);
  });

  it('pulls in no dependency with an install script that could fail for npm users', () => {
    const root = join(installDir, 'node_modules');
    const names = readdirSync(root).flatMap((name) => (name.startsWith('@') ? readdirSync(join(root, name)).map((sub) => `${name}/${sub}`) : [name]));
    const scripts = names.flatMap((name) => {
      let manifest: { scripts?: Record<string, string> };
      try {
        manifest = JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        return [];
      }
      return ['preinstall', 'install', 'postinstall'].filter((k) => manifest.scripts?.[k]).map((k) => [name, `${k}: ${manifest.scripts![k]}`] as const);
    });
    expect(Object.fromEntries(scripts)).toEqual(KNOWN_INSTALL_SCRIPTS);
  });

  it('answers --version and --help from any folder', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await run(bin(), ['--version'], { cwd: tempDir() })).stdout.trim()).toBe(version);
    expect((await run(bin(), ['--help'], { cwd: tempDir() })).stdout).toContain('agentos-comms <command>');
  });

  it('creates an agent, serves /health and the admin console, and serves MCP over stdio to a client started in another folder', async () => {
    const created = await run(bin(), ['agent', 'create', '--name', 'Packaged', '--phone', '+15550100091', '--json'], { cwd: tempDir(), env });
    const { token, connection } = JSON.parse(created.stdout) as { token: string; connection: { command: string; args: string[]; env: Record<string, string> } };
    expect(token).toMatch(/^aoc_/);

    server = spawn(bin(), ['serve'], { cwd: tempDir(), env });
    const url = await listening(server);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    // The admin console is served from the package's own dist/ (built at pack time).
    const consolePage = await fetch(`${url}/admin`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('/admin/assets/');

    const transport = new StdioClientTransport({
      command: connection.command, args: connection.args, cwd: tempDir('agentos-client-cwd-'), env: { ...env, ...connection.env } as Record<string, string>, stderr: 'pipe',
    });
    const client = new Client({ name: 'packaged-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('comms_send_message');
    } finally {
      await client.close();
    }
  });

  const cliDir = () => join(installDir, 'node_modules', 'agentos-comms', 'dist', 'hosts', 'cli');
  const cachesIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.cache'));

  /** Starts `serve`, waits until it answers and `settled` passes, then stops it. */
  async function serveOnce(settled: () => void, extraEnv: Record<string, string> = {}): Promise<void> {
    const child = spawn(bin(), ['serve'], { cwd: tempDir(), env: { ...env, ...extraEnv } });
    try {
      await listening(child);
      await vi.waitFor(settled, { timeout: 10_000 });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  it('writes the code cache beside the bundle once serve is ready, and the next serve takes it rather than writing another', async () => {
    const cli = cliDir();
    const caches = () => cachesIn(cli).map((f) => ({ name: f, written: statSync(join(cli, f)).mtimeMs }));
    for (const { name } of caches()) rmSync(join(cli, name));
    const oneCache = () => expect(caches()).toHaveLength(1);
    await serveOnce(oneCache);
    const first = caches();
    // A cache V8 refused would be written again at ready; one it took is left as it is.
    await serveOnce(oneCache);
    expect(caches()).toEqual(first);
  });

  it('writes the cache to the user\'s cache folder when it cannot be put beside the bundle, leaving no partial file behind', async () => {
    const cli = cliDir();
    for (const name of cachesIn(cli)) rmSync(join(cli, name));
    // Learn the cache's name from one start, then block that name with a folder: the rename onto it fails.
    await serveOnce(() => expect(cachesIn(cli)).toHaveLength(1));
    const [name] = cachesIn(cli) as [string];
    rmSync(join(cli, name));
    mkdirSync(join(cli, name));
    try {
      const userCache = tempDir('agentos-user-cache-');
      await serveOnce(() => expect(cachesIn(join(userCache, 'agentos-comms'))).toEqual([name]), { XDG_CACHE_HOME: userCache });
      expect(readdirSync(cli).filter((f) => f.startsWith(`${name}.`))).toEqual([]);
    } finally {
      rmSync(join(cli, name), { recursive: true, force: true });
    }
  });

  it('starts serve with V8\'s young generation at its initial size (idle memory), and lets it grow once ready (load)', async () => {
    const report = join(tempDir('agentos-young-'), 'young-generation.json');
    const probe = join(REPO_ROOT, 'test', 'support', 'young-generation-probe.mjs');
    const child = spawn(bin(), ['serve'], { cwd: tempDir(), env: { ...env, COMMS_TEST_YOUNG_GENERATION: report, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${probe}` } });
    try {
      await listening(child);
      await vi.waitFor(() => expect(existsSync(report)).toBe(true), { timeout: 30_000 });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const { atReady, underLoad } = JSON.parse(readFileSync(report, 'utf8')) as { atReady: number; underLoad: number };
    // Left to V8, start-up's allocation grows it to two 16 MB semi-spaces, kept while the server idles.
    expect(atReady).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(underLoad).toBeGreaterThan(atReady);
  });
});
