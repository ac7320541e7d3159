import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePluginContext, describeDatabaseContract } from '../../contracts/database.js';
import { ENTITIES } from '../../adapters/mikro-orm/entities.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { Database } from '../../ports/repositories.js';

const url = process.env.COMMS_TEST_POSTGRES_URL;
const ALL_MIGRATIONS = ['Migration20261124000000_initial', 'Migration20261124100000_channels_pool_calls'];

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

  const newSchema = () => `t_${randomBytes(6).toString('hex')}`;
  const dropSchema = (schema: string) => admin.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);

  it('migrate() creates a missing schema and keeps every table in it; entity schemas match the tables', async () => {
    const schema = newSchema();
    const db = await postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()));
    try {
      expect(await db.migrate()).toEqual(ALL_MIGRATIONS);
      const tables = await admin.em.getConnection().execute<{ table_name: string }[]>(
        'select table_name from information_schema.tables where table_schema = ? order by table_name', [schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        'agent_channels', 'agents', 'call_logs', 'callback_deliveries', 'messages', 'mikro_orm_migrations',
        'whatsapp_senders',
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

  it('lets servers that start together migrate once', async () => {
    const schema = newSchema();
    await admin.em.getConnection().execute(`create schema "${schema}"`);
    const dbs = await Promise.all([1, 2, 3].map(() => postgresqlPlugin.create({ url: url as string, schema }, databasePluginContext(tmpdir()))));
    try {
      // The migration log table exists first, as after any earlier deployment.
      await dbs[0]?.migrate();
      await admin.em.getConnection().execute(`delete from "${schema}".mikro_orm_migrations`);
      const tables = ['call_logs', 'whatsapp_senders', 'callback_deliveries', 'messages', 'agent_channels', 'agents'];
      await admin.em.getConnection().execute(`drop table ${tables.map((table) => `"${schema}".${table}`).join(', ')}`);
      const applied = await Promise.all(dbs.map((db) => db.migrate()));
      expect(applied.flat()).toEqual(ALL_MIGRATIONS);
    } finally {
      for (const db of dbs) await db.close();
      await dropSchema(schema);
    }
  });

  it('upgrades a schema deployed with the initial migration only, keeping its data', async () => {
    const schema = newSchema();
    const options = { url: url as string, schema };
    const first = await postgresqlPlugin.create(options, databasePluginContext(tmpdir()));
    const agent = {
      id: 'agt_old', name: 'old', tokenHash: 'hash-old', callbackUrl: null, callbackSecret: 'whsec',
      status: 'active' as const, createdAt: new Date(), updatedAt: new Date(),
    };
    try {
      await first.migrate();
      await first.agents.create(agent, []);
    } finally {
      await first.close();
    }
    // As the first release left it: no new tables, the second migration not logged.
    await admin.em.getConnection().execute(`drop table "${schema}".call_logs, "${schema}".whatsapp_senders`);
    await admin.em.getConnection().execute(`delete from "${schema}".mikro_orm_migrations where name = ?`, [ALL_MIGRATIONS[1]]);

    const upgraded = await postgresqlPlugin.create(options, databasePluginContext(tmpdir()));
    try {
      expect(await upgraded.migrate()).toEqual([ALL_MIGRATIONS[1]]);
      expect(await upgraded.migrate()).toEqual([]);
      expect(await upgraded.agents.findById('agt_old')).toEqual(agent);
      await upgraded.whatsappSenders.add({ id: 'wsn_1', address: '+14440000001', agentId: 'agt_old', createdAt: new Date() });
      expect(await upgraded.whatsappSenders.candidatesFor('agt_old')).toHaveLength(1);
    } finally {
      await upgraded.close();
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
