/** What the SQLite plugin adds beyond the port contract: file placement, PRAGMAs, schema, group commit. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/better-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { ENTITIES } from '../../adapters/mikro-orm/entities.js';
import sqlitePlugin, { DEFAULT_SQLITE_FILE, sqliteFilePath } from '../../adapters/mikro-orm/sqlite-plugin.js';
import { isDomainError } from '../../ports/errors.js';
import { PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { AgentRecord, MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';

const now = new Date('2026-11-24T10:00:00.123Z');

function agent(id: string): AgentRecord {
  return {
    id, name: id, tokenHash: `hash-${id}`, callbackUrl: null, callbackSecret: 'whsec', status: 'active',
    createdAt: now, updatedAt: now,
  };
}

function outbound(id: string, agentId: string): MessageRecord {
  return {
    id, agentId, channel: 'sms', direction: 'outbound', from: '+15550000001', to: '+15550000002', body: 'hi',
    status: 'pending', provider: 'mock', providerMessageId: null, idempotencyKey: null, requestHash: null,
    errorCode: null, errorMessage: null, metadata: {}, createdAt: now, updatedAt: now,
  };
}

describe('sqlite db plugin', () => {
  let dir: string;
  const open: Database[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comms-sqlite-'));
  });

  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const create = async (options: { path?: string }, configDir = dir, dataDir = dir): Promise<Database> => {
    const db = await sqlitePlugin.create(options, { ...databasePluginContext(dir), configDir, dataDir });
    open.push(db);
    return db;
  };

  it('is a db plugin named sqlite of the current API version', () => {
    expect(sqlitePlugin).toMatchObject({ apiVersion: PLUGIN_API_VERSION, port: 'db', id: 'sqlite' });
    expect(sqlitePlugin.optionsSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('places the file: default in the data folder, relative to the config folder, absolute as is', () => {
    const ctx = { configDir: '/etc/comms', dataDir: '/var/lib/comms' };
    expect(sqliteFilePath({}, ctx)).toBe(join('/var/lib/comms', DEFAULT_SQLITE_FILE));
    expect(sqliteFilePath({ path: 'data/x.sqlite' }, ctx)).toBe('/etc/comms/data/x.sqlite');
    expect(sqliteFilePath({ path: '/srv/x.sqlite' }, ctx)).toBe('/srv/x.sqlite');
    expect(sqliteFilePath({ path: ':memory:' }, ctx)).toBe(':memory:');
  });

  it('creates the default file in the data folder, creating missing folders', async () => {
    const dataDir = join(dir, 'data', 'nested');
    const db = await create({}, dir, dataDir);
    await db.migrate();
    expect(existsSync(join(dataDir, DEFAULT_SQLITE_FILE))).toBe(true);
  });

  it('resolves a relative path against the config folder', async () => {
    const db = await create({ path: 'relative/comms.sqlite' }, join(dir, 'config'), join(dir, 'data'));
    await db.migrate();
    expect(existsSync(join(dir, 'config', 'relative', 'comms.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'data', DEFAULT_SQLITE_FILE))).toBe(false);
  });

  it('works in memory', async () => {
    const db = await create({ path: ':memory:' });
    await db.migrate();
    await db.agents.create(agent('agt_mem'), []);
    expect((await db.agents.findById('agt_mem'))?.id).toBe('agt_mem');
  });

  it('does not migrate on create: the host calls migrate()', async () => {
    const db = await create({ path: 'lazy.sqlite' });
    await db.ping();
    await expect(db.agents.findById('agt_x')).rejects.toThrow(/no such table/);
    expect(await db.migrate()).toEqual(['Migration20261124000000_initial', 'Migration20261124100000_channels_pool_calls']);
    expect(await db.agents.findById('agt_x')).toBeNull();
  });

  it('keeps data across reopening, and finds nothing left to migrate', async () => {
    const first = await create({ path: 'kept.sqlite' });
    await first.migrate();
    await first.agents.create(agent('agt_kept'), []);
    await first.close();
    const second = await create({ path: 'kept.sqlite' });
    expect(await second.migrate()).toEqual([]);
    expect((await second.agents.findById('agt_kept'))?.name).toBe('agt_kept');
  });

  it('runs in WAL mode and enforces foreign keys', async () => {
    const db = await create({ path: 'wal.sqlite' });
    await db.migrate();
    await expect(db.messages.insertOutbound(outbound('msg_orphan', 'agt_missing'))).rejects.toThrow(/FOREIGN KEY/);
    await db.close();
    const orm = await MikroORM.init({ dbName: join(dir, 'wal.sqlite'), entities: ENTITIES, discovery: { disableDynamicFileAccess: true } });
    try {
      expect(await orm.em.getConnection().execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await orm.close(true);
    }
  });

  it('has entity schemas that describe exactly the migrated tables', async () => {
    const db = await create({ path: 'drift.sqlite' });
    await db.migrate();
    await db.close();
    const orm = await MikroORM.init({ dbName: join(dir, 'drift.sqlite'), entities: ENTITIES, discovery: { disableDynamicFileAccess: true } });
    try {
      expect((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
    } finally {
      await orm.close(true);
    }
  });

  it('isolates the jobs of one group commit: a failing one undoes only its own writes', async () => {
    const db = await create({ path: 'batch.sqlite' });
    await db.migrate();
    const channel = (agentId: string, address: string) => ({ id: `chn_${agentId}`, agentId, channel: 'sms' as const, address, createdAt: now });
    const ids = Array.from({ length: 30 }, (_, i) => `agt_${String(i).padStart(2, '0')}`);
    // Even agents take free addresses; odd ones all fight for one.
    const results = await Promise.allSettled(
      ids.map((id, i) => db.agents.create(agent(id), [channel(id, i % 2 === 0 ? `+1555000${id.slice(-2)}` : '+15559999999')])),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(failures).toHaveLength(14);
    for (const failure of failures) expect(isDomainError(failure) && failure.code).toBe('CONFLICT');
    const stored = (await Promise.all(ids.map((id) => db.agents.findById(id)))).filter(Boolean);
    expect(stored).toHaveLength(16);
  });

  it('refuses work after close()', async () => {
    const db = await create({ path: 'closed.sqlite' });
    await db.migrate();
    await db.close();
    await db.close();
    await expect(db.agents.findById('agt_x')).rejects.toThrow(/closed/);
  });
});
