import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe } from 'vitest';
import { describeDatabaseContract } from '../../contracts/database.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import type { Database } from '../../ports/repositories.js';
import { databaseTestContext } from './database-test-context.js';

const url = process.env.COMMS_TEST_POSTGRES_URL;

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

  describeDatabaseContract({
    name: 'postgresql (a fresh schema per test)',
    factory: async () => {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await admin.em.getConnection().execute(`create schema "${schema}"`);
      const db = await postgresqlPlugin.create({ url: url as string, schema, poolMax: 4 }, databaseTestContext(tmpdir()));
      schemas.set(db, schema);
      return db;
    },
    teardown: async (db) => {
      const schema = schemas.get(db);
      if (schema) await admin.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
    },
  });
});
