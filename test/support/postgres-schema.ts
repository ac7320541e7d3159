import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';

/** The PostgreSQL server of the tests, when COMMS_TEST_POSTGRES_URL is set. */
export const POSTGRES_URL = process.env.COMMS_TEST_POSTGRES_URL;

/** Set by the global setup (postgres-global-setup.ts): that run drops its schemas once, at its end. */
const RUN = process.env.COMMS_TEST_PG_RUN;

/** A fresh schema name (the server creates it when migrating), named after the test run when there is one. */
export function testSchemaName(): string {
  return RUN ? `t_${RUN}_${randomBytes(6).toString('hex')}` : `t_${randomBytes(6).toString('hex')}`;
}

/**
 * Drops a test schema now, outside a test run (benchmarks); inside one, leaves it to the run's global
 * teardown, so that no drop races another test file's migration.
 */
export async function dropTestSchema(admin: MikroORM, schema: string): Promise<void> {
  if (RUN) return;
  await admin.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
  // pg-boss's queue schema beside it (hosts/composition/background-jobs.ts, jobsSchema), made by a server on it.
  await admin.em.getConnection().execute(`drop schema if exists "${schema}_jobs" cascade`);
}

/** A fresh schema name per test, and a way to drop them after. */
export async function postgresSchemas(url: string): Promise<{ fresh(): string; query<T>(sql: string): Promise<T[]>; close(): Promise<void> }> {
  const admin = await MikroORM.init({
    clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true }, ensureDatabase: false, pool: { min: 0, max: 2 },
  });
  const made: string[] = [];
  return {
    fresh() {
      const schema = testSchemaName();
      made.push(schema);
      return schema;
    },
    query: <T>(sql: string) => admin.em.getConnection().execute<T[]>(sql),
    async close() {
      for (const schema of made) await dropTestSchema(admin, schema);
      await admin.close(true);
    },
  };
}
