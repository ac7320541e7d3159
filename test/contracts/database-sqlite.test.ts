import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databasePluginContext, describeDatabaseContract } from '../../contracts/database.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import type { Database } from '../../ports/repositories.js';

const folders = new WeakMap<Database, string>();

describeDatabaseContract({
  name: 'sqlite (a temp file per test)',
  factory: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'comms-db-'));
    const db = await sqlitePlugin.create({ path: join(dir, 'test.sqlite') }, databasePluginContext(dir));
    folders.set(db, dir);
    return db;
  },
  teardown: async (db) => {
    const dir = folders.get(db);
    if (dir) await rm(dir, { recursive: true, force: true });
  },
});
