import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';
import { ADMIN_TOKEN } from '../support/test-server.js';

/** Packages a server on the demo providers, SQLite, JSON logs and no /metrics has no use for. */
const UNUSED = [
  'twilio', '@vonage/server-sdk', '@aws-sdk/client-s3', '@sendgrid/mail', '@sendgrid/client', '@elevenlabs/elevenlabs-js',
  '@deepgram/sdk', '@anthropic-ai/sdk', 'openai', 'nodemailer', 'mailparser', 'ioredis', 'pg', 'pg-boss', 'prom-client', 'pino-pretty',
];

/**
 * Packages every server uses, but only from its first send (or first number): the content filter's matchers
 * (obscenity), the decoder of the time-zone map (bson), needed for a number in an assigned range, and
 * libphonenumber-js with its largest metadata (one parse serves both phone ports).
 */
const FIRST_SEND = ['obscenity', 'bson', 'libphonenumber-js'];

const dir = tempDir('agentos-lazy-');
const configFile = join(dir, 'config.yaml');
writeFileSync(configFile, stringify({
  server: { host: '127.0.0.1', port: 0 },
  dataDir: dir,
  log: { level: 'warn', format: 'json' },
  auth: { adminToken: ADMIN_TOKEN },
  db: { use: 'sqlite', options: { path: join(dir, 'comms.sqlite') } },
}));

/** Starts `serve` (demo providers everywhere), waits for /health/ready, stops it; the files and packages it loaded. */
async function loadedByServe(run: string): Promise<{ files: string[]; packages: Set<string> }> {
  const list = join(dir, `${run}.modules`);
  const preload = join(import.meta.dirname, '..', 'support', 'loaded-modules.mjs');
  const { child, url } = await startCliServer(['--config', configFile], {
    COMMS_TEST_LOADED_MODULES: list,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // Code only: MikroORM reads the package.json of every @mikro-orm package it finds (a version check).
  const code = readFileSync(list, 'utf8').split('\n').filter((line) => !line.endsWith('/package.json'));
  const packages = code.flatMap((line) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line)?.[1] ?? []);
  return { files: code, packages: new Set(packages) };
}

/**
 * Start-up loads only what the configuration uses (issue 13): a vendor SDK, a store client or the
 * migrator loaded at start costs every server time and memory. Not timed (see `npm run bench:startup`).
 */
describe('what a starting server loads', { timeout: 240_000 }, () => {
  it('loads the migrator to migrate a new database, and neither it nor any unused SDK or client once migrated', async () => {
    const { packages: first } = await loadedByServe('first');
    // The hook sees what is loaded: the database driver, and the migrator the first start needs.
    expect(first).toContain('better-sqlite3');
    expect(first).toContain('@mikro-orm/migrations');

    const { packages: migrated } = await loadedByServe('migrated');
    expect(migrated).toContain('better-sqlite3');
    expect([...migrated].filter((name) => [...UNUSED, ...FIRST_SEND, '@mikro-orm/migrations', 'umzug'].includes(name))).toEqual([]);
    expect([...first].filter((name) => [...UNUSED, ...FIRST_SEND].includes(name))).toEqual([]);
  });
});
