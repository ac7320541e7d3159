/** What the SQLite plugin adds beyond the port contract: file placement, PRAGMAs, schema, group commit. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/better-sqlite';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { ENTITIES } from '../../adapters/mikro-orm/entities.js';
import { SELECT_STUCK_PENDING } from '../../adapters/mikro-orm/message-repository.js';
import { SQLITE_MIGRATIONS } from '../../adapters/mikro-orm/migrations/sqlite/sqlite-migrations.js';
import { sharedOrmOptions } from '../../adapters/mikro-orm/orm-options.js';
import sqlitePlugin, { DEFAULT_SQLITE_FILE, configureSqliteConnection, sqliteFilePath, withTemporaryFiles } from '../../adapters/mikro-orm/sqlite-plugin.js';
import { isDomainError } from '../../ports/errors.js';
import { PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { AgentRecord, CallLogRecord, MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';

const now = new Date('2026-11-24T10:00:00.123Z');
const INITIAL = 'Migration20261124000000_initial';
const CHANNELS_POOL_CALLS = 'Migration20261124100000_channels_pool_calls';
const VOICE_CONVERSATIONS = 'Migration20261124200000_voice_conversations';
const USAGE = 'Migration20261130100100_usage';
const COMPLIANCE = 'Migration20261130110100_compliance';
const TURN_LATENCY = 'Migration20261130170100_turn_latency';
const STUCK_SENDS = 'Migration20261130080001_stuck_sends';
const AGENT_SUSPENSION = 'Migration20261130120001_agent_suspension';
const AUDIT_LOG = 'Migration20261130120001_audit_log';
const HISTORY_INDEXES = 'Migration20261201130100_history_indexes';
const MCP_SESSIONS = 'Migration20261201130200_mcp_sessions';
const PROVIDER_CREDENTIALS = 'Migration20261201140100_provider_credentials';
const CONTACTS = 'Migration20261201160100_contacts';
const PROVISIONING = 'Migration20261202010100_provisioning';
const CUSTOMERS = 'Migration20261202020100_customers';
const CONTACT_INDEXES = 'Migration20261202060100_contact_indexes';
const PROVIDER_ACCOUNT_INDEXES = 'Migration20261203140100_provider_account_indexes';
const MCP_SUBSCRIPTIONS = 'Migration20261203150100_mcp_session_subscriptions';
const MESSAGE_PARTIAL_INDEXES = 'Migration20261207180100_message_partial_indexes';

function agent(id: string): AgentRecord {
  return {
    id, name: id, tokenHash: `hash-${id}`, callbackUrl: null, callbackSecret: 'whsec', status: 'active', voice: {},
    createdAt: now, updatedAt: now,
  };
}

function callLog(id: string, agentId: string): CallLogRecord {
  return {
    id, agentId, direction: 'outbound', from: '+15550000001', to: '+15550000002', status: 'queued', history: [],
    provider: 'mock', providerCallId: null, audioUrl: null, audioKey: null, startedAt: now, answeredAt: null,
    endedAt: null, durationSeconds: null, priceMicros: null, currency: null, errorCode: null, errorMessage: null,
    metadata: {}, createdAt: now, updatedAt: now, version: 0,
  };
}

/** Rows as an earlier release wrote them: only the columns its migrations had (no voice settings). */
const OLD_AGENT =
  "insert into agents (id, name, token_hash, callback_url, callback_secret, status, created_at, updated_at) " +
  `values ('agt_old', 'agt_old', 'hash-agt_old', null, 'whsec', 'active', ${now.getTime()}, ${now.getTime()})`;
const OLD_CALL =
  'insert into call_logs (id, agent_id, direction, from_addr, to_addr, status, history, provider, provider_call_id, ' +
  'audio_url, audio_key, started_at, answered_at, ended_at, duration_seconds, price_micros, currency, error_code, ' +
  "error_message, metadata, created_at, updated_at, version) values ('cal_old', 'agt_old', 'outbound', " +
  "'+15550000001', '+15550000002', 'queued', '[]', 'mock', null, null, null, " +
  `${now.getTime()}, null, null, null, null, null, null, null, '{}', ${now.getTime()}, ${now.getTime()}, 0)`;

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
    expect(await db.migrate()).toEqual([INITIAL, CHANNELS_POOL_CALLS, VOICE_CONVERSATIONS, USAGE, COMPLIANCE, TURN_LATENCY, STUCK_SENDS, AGENT_SUSPENSION, AUDIT_LOG, HISTORY_INDEXES, MCP_SESSIONS, PROVIDER_CREDENTIALS, CONTACTS, PROVISIONING, CUSTOMERS, CONTACT_INDEXES, PROVIDER_ACCOUNT_INDEXES, MCP_SUBSCRIPTIONS, MESSAGE_PARTIAL_INDEXES]);
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

  /** Builds `file` as the release that had only the first `count` migrations left it, with `rows` in it. */
  const deployEarlierRelease = async (file: string, count: number, rows: string[]): Promise<void> => {
    const migrations = SQLITE_MIGRATIONS.slice(0, count);
    const orm = await MikroORM.init({ ...sharedOrmOptions(databasePluginContext(dir).logger, migrations), dbName: join(dir, file) });
    try {
      expect((await orm.getMigrator().up()).map((m) => m.name)).toEqual(migrations.map((m) => m.name));
      for (const row of rows) await orm.em.getConnection().execute(row);
    } finally {
      await orm.close(true);
    }
  };

  it('upgrades a database deployed with the initial migration only, keeping its data', async () => {
    await deployEarlierRelease('upgrade1.sqlite', 1, [OLD_AGENT]);
    const upgraded = await create({ path: 'upgrade1.sqlite' });
    expect(await upgraded.migrate()).toEqual([CHANNELS_POOL_CALLS, VOICE_CONVERSATIONS, USAGE, COMPLIANCE, TURN_LATENCY, STUCK_SENDS, AGENT_SUSPENSION, AUDIT_LOG, HISTORY_INDEXES, MCP_SESSIONS, PROVIDER_CREDENTIALS, CONTACTS, PROVISIONING, CUSTOMERS, CONTACT_INDEXES, PROVIDER_ACCOUNT_INDEXES, MCP_SUBSCRIPTIONS, MESSAGE_PARTIAL_INDEXES]);
    expect(await upgraded.migrate()).toEqual([]);
    expect(await upgraded.agents.findById('agt_old')).toEqual(agent('agt_old'));
    await upgraded.whatsappSenders.add({ id: 'wsn_1', address: '+14440000001', agentId: 'agt_old', createdAt: now });
    expect(await upgraded.whatsappSenders.candidatesFor('agt_old')).toHaveLength(1);
  });

  it('upgrades a database deployed with the first two migrations: only the third runs, data is kept', async () => {
    await deployEarlierRelease('upgrade2.sqlite', 2, [OLD_AGENT, OLD_CALL]);
    const upgraded = await create({ path: 'upgrade2.sqlite' });
    expect(await upgraded.migrate()).toEqual([VOICE_CONVERSATIONS, USAGE, COMPLIANCE, TURN_LATENCY, STUCK_SENDS, AGENT_SUSPENSION, AUDIT_LOG, HISTORY_INDEXES, MCP_SESSIONS, PROVIDER_CREDENTIALS, CONTACTS, PROVISIONING, CUSTOMERS, CONTACT_INDEXES, PROVIDER_ACCOUNT_INDEXES, MCP_SUBSCRIPTIONS, MESSAGE_PARTIAL_INDEXES]);
    expect(await upgraded.migrate()).toEqual([]);
    // The existing agent got the column's default: no settings.
    expect(await upgraded.agents.findById('agt_old')).toEqual(agent('agt_old'));
    expect(await upgraded.calls.findById('cal_old')).toEqual(callLog('cal_old', 'agt_old'));
    await upgraded.agents.update('agt_old', { voice: { greeting: 'Hi' }, updatedAt: now });
    expect((await upgraded.agents.findById('agt_old'))?.voice).toEqual({ greeting: 'Hi' });
    const turn = { id: 'turn_1', callId: 'cal_old', seq: 1, speaker: 'caller' as const, text: 'Hello', interrupted: false, createdAt: now, latency: null };
    await upgraded.turns.append(turn);
    expect(await upgraded.turns.list('cal_old')).toEqual([turn]);
  });

  it('reverts the voice migration with its own down(), and applies it again', async () => {
    const first = await create({ path: 'down.sqlite' });
    await first.migrate();
    await first.agents.create({ ...agent('agt_kept'), voice: { voice: 'en-GB' } }, []);
    await first.close();
    const orm = await MikroORM.init({
      ...sharedOrmOptions(databasePluginContext(dir).logger, SQLITE_MIGRATIONS), dbName: join(dir, 'down.sqlite'),
    });
    try {
      expect((await orm.getMigrator().down({ to: VOICE_CONVERSATIONS })).map((m) => m.name)).toEqual([MESSAGE_PARTIAL_INDEXES, MCP_SUBSCRIPTIONS, PROVIDER_ACCOUNT_INDEXES, CONTACT_INDEXES, CUSTOMERS, PROVISIONING, CONTACTS, PROVIDER_CREDENTIALS, MCP_SESSIONS, HISTORY_INDEXES, AUDIT_LOG, AGENT_SUSPENSION, STUCK_SENDS, TURN_LATENCY, COMPLIANCE, USAGE, VOICE_CONVERSATIONS]);
    } finally {
      await orm.close(true);
    }

    const again = await create({ path: 'down.sqlite' });
    expect(await again.migrate()).toEqual([VOICE_CONVERSATIONS, USAGE, COMPLIANCE, TURN_LATENCY, STUCK_SENDS, AGENT_SUSPENSION, AUDIT_LOG, HISTORY_INDEXES, MCP_SESSIONS, PROVIDER_CREDENTIALS, CONTACTS, PROVISIONING, CUSTOMERS, CONTACT_INDEXES, PROVIDER_ACCOUNT_INDEXES, MCP_SUBSCRIPTIONS, MESSAGE_PARTIAL_INDEXES]);
    // The settings went with the column; the agent itself stays.
    expect(await again.agents.findById('agt_kept')).toEqual(agent('agt_kept'));
  });

  it('answers what the port leaves open: NOT_FOUND for an unknown agent or call, CONFLICT for duplicate calls', async () => {
    const db = await create({ path: 'extras.sqlite' });
    await db.migrate();
    const code = (err: unknown) => (isDomainError(err) ? err.code : String(err));
    const orphan = { id: 'chn_x', agentId: 'agt_missing', channel: 'sms' as const, address: '+15550000009', createdAt: now };
    expect(await db.agents.setChannel(orphan).catch(code)).toBe('NOT_FOUND');

    await db.agents.create(agent('agt_calls'), []);
    const call: CallLogRecord = { ...callLog('cal_1', 'agt_calls'), providerCallId: 'CA-1' };
    await db.calls.insert(call);
    expect(await db.calls.insert(call).catch(code)).toBe('CONFLICT');
    expect(await db.calls.insert({ ...call, id: 'cal_2' }).catch(code)).toBe('CONFLICT');
    await db.calls.insert({ ...call, id: 'cal_3', providerCallId: null });
    expect(await db.calls.update({ ...call, id: 'cal_3' }, 0).catch(code)).toBe('CONFLICT');
    expect((await db.calls.findById('cal_3'))?.providerCallId).toBeNull();

    const turn = { id: 'turn_1', callId: 'cal_unknown', seq: 1, speaker: 'caller' as const, text: 'Hi', interrupted: false, createdAt: now };
    expect(await db.turns.append(turn).catch(code)).toBe('NOT_FOUND');
    expect(await db.turns.list('cal_unknown')).toEqual([]);
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

  it('keeps the writer\'s statement journals in memory, not in temporary files', () => {
    const connection = new BetterSqlite3(join(dir, 'journal.sqlite'));
    try {
      let failure: Error | null = new Error('not configured');
      configureSqliteConnection(connection, (error) => { failure = error; });
      expect(failure).toBeNull();
      // 2: MEMORY (0 is the build's default, a file).
      expect(connection.pragma('temp_store', { simple: true })).toBe(2);
      // SQLite's own mark until the checkpoint thread starts (sqlite-checkpointer.ts raises it then).
      expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      connection.close();
    }
  });

  it('migrates with temporary files (an index over a large table is sorted through them), then goes back to memory', async () => {
    const connection = new BetterSqlite3(join(dir, 'migrating.sqlite'));
    const execute = async (sql: string) => connection.pragma(sql.replace(/^pragma /, ''));
    const tempStore = () => connection.pragma('temp_store', { simple: true });
    try {
      configureSqliteConnection(connection, () => undefined);
      const during = await withTemporaryFiles(execute, async () => tempStore());
      expect(during).toBe(1);
      expect(tempStore()).toBe(2);
      await expect(withTemporaryFiles(execute, async () => { throw new Error('migration failed'); })).rejects.toThrow('migration failed');
      expect(tempStore()).toBe(2);
    } finally {
      connection.close();
    }
  });

  it('keeps only pending messages in the status index and only keyed ones in the idempotency index, both still used', async () => {
    const db = await create({ path: 'partial.sqlite' });
    await db.migrate();
    await db.agents.create(agent('agt_partial'), []);
    const keyed = { ...outbound('msg_keyed', 'agt_partial'), idempotencyKey: 'key-1' };
    expect((await db.messages.insertOutbound(keyed)).inserted).toBe(true);
    // The same key again: the partial unique index is still the conflict target, and the first row is answered.
    const again = await db.messages.insertOutbound({ ...keyed, id: 'msg_keyed_again' });
    expect(again).toMatchObject({ inserted: false, message: { id: 'msg_keyed' } });
    // Messages without a key (every inbound one) never conflict on it.
    for (const id of ['msg_a', 'msg_b']) expect((await db.messages.insertOutbound(outbound(id, 'agt_partial'))).inserted).toBe(true);
    await db.close();
    const file = new BetterSqlite3(join(dir, 'partial.sqlite'), { readonly: true });
    try {
      const ddl = (name: string) => (file.prepare('select sql from sqlite_master where name = ?').get(name) as { sql: string }).sql;
      expect(ddl('messages_status_updated_at_index')).toMatch(/where status = 'pending'$/);
      expect(ddl('messages_agent_id_idempotency_key_unique')).toMatch(/^create unique index .* where idempotency_key is not null$/i);
      // The recovery of sends still finds pending messages through the (now partial) index.
      const plan = file.prepare(`explain query plan ${SELECT_STUCK_PENDING}`).all(0, 10) as Array<{ detail: string }>;
      expect(plan.map((step) => step.detail).join('; ')).toMatch(/USING INDEX messages_status_updated_at_index/);
    } finally {
      file.close();
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
