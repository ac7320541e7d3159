import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePluginContext, describeDatabaseContract } from '../../contracts/database.js';
import { ENTITIES } from '../../adapters/mikro-orm/entities.js';
import { POSTGRESQL_MIGRATIONS } from '../../adapters/mikro-orm/migrations/postgresql/postgresql-migrations.js';
import { sharedOrmOptions } from '../../adapters/mikro-orm/orm-options.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { isDomainError } from '../../ports/errors.js';
import { dropTestSchema, testSchemaName } from '../support/postgres-schema.js';
import { PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { AgentRecord, CallLogRecord, MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';

const url = process.env.COMMS_TEST_POSTGRES_URL;
const ALL_MIGRATIONS = [
  'Migration20261124000000_initial', 'Migration20261124100000_channels_pool_calls',
  'Migration20261124200000_voice_conversations', 'Migration20261130100100_usage', 'Migration20261130110100_compliance',
  'Migration20261130170100_turn_latency', 'Migration20261130080001_stuck_sends', 'Migration20261130120001_agent_suspension', 'Migration20261130120001_audit_log',
  'Migration20261201130100_history_indexes',
  'Migration20261201130200_mcp_sessions',
  'Migration20261201140100_provider_credentials',
  'Migration20261201160100_contacts',
  'Migration20261202010100_provisioning',
  'Migration20261202020100_customers',
  'Migration20261202060100_contact_indexes',
  'Migration20261203140100_provider_account_indexes',
  'Migration20261203150100_mcp_session_subscriptions',
  'Migration20261204100100_agent_change_notify',
  'Migration20261205110100_usage_reserve_batch',
  'Migration20261206100100_usage_claim_guard',
  'Migration20261207180100_message_partial_indexes',
];
const now = new Date('2026-11-24T10:00:00.123Z');
const OLD_AGENT: AgentRecord = {
  id: 'agt_old', name: 'old', tokenHash: 'hash-old', callbackUrl: null, callbackSecret: 'whsec', status: 'active',
  voice: {}, createdAt: now, updatedAt: now,
};
const OLD_CALL: CallLogRecord = {
  id: 'cal_old', agentId: 'agt_old', direction: 'outbound', from: '+15550000001', to: '+15550000002', status: 'queued',
  history: [], provider: 'mock', providerCallId: null, audioUrl: null, audioKey: null, startedAt: now, answeredAt: null,
  endedAt: null, durationSeconds: null, priceMicros: null, currency: null, errorCode: null, errorMessage: null,
  metadata: {}, createdAt: now, updatedAt: now, version: 0,
};
/** Rows as an earlier release wrote them: only the columns its migrations had (no voice settings). */
const INSERT_OLD_AGENT =
  'insert into agents (id, name, token_hash, callback_url, callback_secret, status, created_at, updated_at) ' +
  `values ('agt_old', 'old', 'hash-old', null, 'whsec', 'active', '${now.toISOString()}', '${now.toISOString()}')`;
const INSERT_OLD_CALL =
  'insert into call_logs (id, agent_id, direction, from_addr, to_addr, status, history, provider, started_at, ' +
  "metadata, created_at, updated_at, version) values ('cal_old', 'agt_old', 'outbound', '+15550000001', " +
  `'+15550000002', 'queued', '[]', 'mock', '${now.toISOString()}', '{}', '${now.toISOString()}', ` +
  `'${now.toISOString()}', 0)`;

describe('postgresql db plugin without a server', () => {
  it('is a db plugin named postgresql whose url is a required secret', () => {
    expect(postgresqlPlugin).toMatchObject({ apiVersion: PLUGIN_API_VERSION, port: 'db', id: 'postgresql', secrets: ['url'] });
    expect(postgresqlPlugin.optionsSchema).toMatchObject({ required: ['url'], additionalProperties: false });
  });

  it('creates without connecting, and ping() fails fast when the server is unreachable', async () => {
    const db = await postgresqlPlugin.create({ url: 'postgresql://postgres@127.0.0.1:1/none' }, databasePluginContext(tmpdir()));
    try {
      const started = Date.now();
      await expect(db.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!url)('postgresql (set COMMS_TEST_POSTGRES_URL to run, e.g. postgresql://postgres@127.0.0.1:5432/test)', () => {
  // One admin connection creates and drops a schema per test, so tests never see each other's rows.
  let admin: MikroORM;
  const schemas = new WeakMap<Database, string>();

  beforeAll(async () => {
    admin = await MikroORM.init({
      clientUrl: url,
      entities: [],
      discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true },
      ensureDatabase: false,
      pool: { min: 0, max: 2 },
    });
  });

  afterAll(async () => {
    await admin?.close(true);
  });

  const newSchema = testSchemaName;
  const dropSchema = (schema: string) => dropTestSchema(admin, schema);

  it('migrate() creates a missing schema and keeps every table in it; entity schemas match the tables', async () => {
    const schema = newSchema();
    const db = await postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()));
    try {
      expect(await db.migrate()).toEqual(ALL_MIGRATIONS);
      const tables = await admin.em.getConnection().execute<{ table_name: string }[]>(
        'select table_name from information_schema.tables where table_schema = ? order by table_name', [schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        'agent_channels', 'agent_compliance', 'agent_limits', 'agents', 'audit_log', 'call_logs', 'call_turns', 'callback_deliveries', 'consents',
        'contact_addresses', 'contacts', 'customers', 'do_not_contact', 'erasure_tombstones', 'mcp_session_subscriptions', 'mcp_sessions', 'messages', 'mikro_orm_migrations', 'opt_outs', 'phone_numbers',
        'provider_credentials', 'provisioning_operations', 'shared_numbers', 'usage_alerts', 'usage_counters', 'usage_records', 'whatsapp_senders',
      ]);
      const orm = await MikroORM.init({
        clientUrl: url, schema, entities: ENTITIES, discovery: { disableDynamicFileAccess: true }, ensureDatabase: false,
      });
      try {
        expect((await orm.schema.getUpdateSchemaSQL({ wrap: false, schema })).trim()).toBe('');
      } finally {
        await orm.close(true);
      }
    } finally {
      await db.close();
      await dropSchema(schema);
    }
  });

  it('keeps only pending messages in the status index and only keyed ones in the idempotency index, which still dedupes', async () => {
    const schema = newSchema();
    const db = await postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()));
    try {
      await db.migrate();
      const indexes = await admin.em.getConnection().execute<{ indexname: string; indexdef: string }[]>(
        'select indexname, indexdef from pg_indexes where schemaname = ? and indexname in (?, ?) order by indexname',
        [schema, 'messages_agent_id_idempotency_key_unique', 'messages_status_updated_at_index'],
      );
      expect(indexes.map((index) => [index.indexname, /WHERE (.*)$/.exec(index.indexdef)?.[1]])).toEqual([
        ['messages_agent_id_idempotency_key_unique', '(idempotency_key IS NOT NULL)'],
        ['messages_status_updated_at_index', "((status)::text = 'pending'::text)"],
      ]);
      await db.agents.create(OLD_AGENT, []);
      const keyed: MessageRecord = {
        id: 'msg_keyed', agentId: OLD_AGENT.id, channel: 'sms', direction: 'outbound', from: '+15550100001', to: '+15550100002', body: 'hi',
        status: 'pending', provider: 'mock', providerMessageId: null, idempotencyKey: 'key-1', requestHash: null,
        errorCode: null, errorMessage: null, metadata: {}, createdAt: now, updatedAt: now,
      };
      // Alone and together (the outbound batch's statement): the partial unique index is still the conflict target.
      expect((await db.messages.insertOutbound(keyed)).inserted).toBe(true);
      const again = await Promise.all([keyed, keyed].map((m, i) => db.messages.insertOutbound({ ...m, id: `msg_again_${i}` })));
      expect(again.map((outcome) => [outcome.inserted, outcome.message.id])).toEqual([[false, 'msg_keyed'], [false, 'msg_keyed']]);
      const unkeyed = await Promise.all(['msg_a', 'msg_b'].map((id) => db.messages.insertOutbound({ ...keyed, id, idempotencyKey: null })));
      expect(unkeyed.map((outcome) => outcome.inserted)).toEqual([true, true]);
      expect((await db.messages.listStuckPending(new Date(now.getTime() + 1), 10)).map((m) => m.id).sort()).toEqual(['msg_a', 'msg_b', 'msg_keyed']);
    } finally {
      await db.close();
      await dropSchema(schema);
    }
  });

  it('lets servers that start together migrate once', async () => {
    const schema = newSchema();
    await admin.em.getConnection().execute(`create schema "${schema}"`);
    const dbs = await Promise.all([1, 2, 3].map(() => postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()))));
    try {
      // The migration log table exists first, as after any earlier deployment.
      await dbs[0]?.migrate();
      await admin.em.getConnection().execute(`delete from "${schema}".mikro_orm_migrations`);
      const tables = ['mcp_session_subscriptions', 'provisioning_operations', 'phone_numbers', 'shared_numbers', 'customers', 'mcp_sessions', 'provider_credentials', 'audit_log', 'agent_compliance', 'erasure_tombstones', 'consents', 'contact_addresses', 'contacts', 'do_not_contact', 'opt_outs', 'usage_alerts', 'usage_counters', 'usage_records', 'agent_limits', 'call_turns', 'call_logs', 'whatsapp_senders', 'callback_deliveries', 'messages', 'agent_channels', 'agents'];
      await admin.em.getConnection().execute(`drop table ${tables.map((table) => `"${schema}".${table}`).join(', ')}`);
      const applied = await Promise.all(dbs.map((db) => db.migrate()));
      expect(applied.flat()).toEqual(ALL_MIGRATIONS);
    } finally {
      for (const db of dbs) await db.close();
      await dropSchema(schema);
    }
  });

  /** Builds `schema` as the release that had only the first `count` migrations left it, with `rows` in it. */
  const deployEarlierRelease = async (schema: string, count: number, rows: string[]): Promise<void> => {
    await admin.em.getConnection().execute(`create schema "${schema}"`);
    const migrations = POSTGRESQL_MIGRATIONS.slice(0, count);
    const orm = await MikroORM.init({
      ...sharedOrmOptions(databasePluginContext(tmpdir()).logger, migrations),
      clientUrl: url, schema, driverOptions: { searchPath: [schema] },
    });
    try {
      expect((await orm.getMigrator().up()).map((m) => m.name)).toEqual(migrations.map((m) => m.name));
      for (const row of rows) await orm.em.fork().getConnection().execute(row);
    } finally {
      await orm.close(true);
    }
  };

  it('upgrades a schema deployed with the initial migration only, keeping its data', async () => {
    const schema = newSchema();
    try {
      await deployEarlierRelease(schema, 1, [INSERT_OLD_AGENT]);
      const upgraded = await postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()));
      try {
        expect(await upgraded.migrate()).toEqual(ALL_MIGRATIONS.slice(1));
        expect(await upgraded.migrate()).toEqual([]);
        expect(await upgraded.agents.findById('agt_old')).toEqual(OLD_AGENT);
        await upgraded.whatsappSenders.add({ id: 'wsn_1', address: '+14440000001', agentId: 'agt_old', createdAt: now });
        expect(await upgraded.whatsappSenders.candidatesFor('agt_old')).toHaveLength(1);
      } finally {
        await upgraded.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });

  it('upgrades a schema deployed with the first two migrations: only the third runs, data is kept', async () => {
    const schema = newSchema();
    try {
      await deployEarlierRelease(schema, 2, [INSERT_OLD_AGENT, INSERT_OLD_CALL]);
      const upgraded = await postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()));
      try {
        expect(await upgraded.migrate()).toEqual(ALL_MIGRATIONS.slice(2));
        expect(await upgraded.migrate()).toEqual([]);
        // The existing agent got the column's default: no settings.
        expect(await upgraded.agents.findById('agt_old')).toEqual(OLD_AGENT);
        expect(await upgraded.calls.findById('cal_old')).toEqual(OLD_CALL);
        await upgraded.agents.update('agt_old', { voice: { greeting: 'Hi' }, updatedAt: now });
        expect((await upgraded.agents.findById('agt_old'))?.voice).toEqual({ greeting: 'Hi' });
        const turn = { id: 'turn_1', callId: 'cal_old', seq: 1, speaker: 'caller' as const, text: 'Hello', interrupted: false, createdAt: now, latency: null };
        await upgraded.turns.append(turn);
        expect(await upgraded.turns.list('cal_old')).toEqual([turn]);
        // What the port leaves open: a turn of an unknown call is NOT_FOUND, not a driver error.
        const orphan = upgraded.turns.append({ ...turn, id: 'turn_2', callId: 'cal_unknown' });
        expect(await orphan.catch((err: unknown) => (isDomainError(err) ? err.code : String(err)))).toBe('NOT_FOUND');
      } finally {
        await upgraded.close();
      }
    } finally {
      await dropSchema(schema);
    }
  });

  describeDatabaseContract({
    name: 'postgresql (a fresh schema per test)',
    factory: async () => {
      const schema = newSchema();
      await admin.em.getConnection().execute(`create schema "${schema}"`);
      const db = await postgresqlPlugin.create({ url: url as string, schema, poolMax: 4 }, databasePluginContext(tmpdir()));
      schemas.set(db, schema);
      return db;
    },
    teardown: async (db) => {
      const schema = schemas.get(db);
      if (schema) await dropSchema(schema);
    },
  });
});
