import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';

/** The PostgreSQL server of the tests, when COMMS_TEST_POSTGRES_URL is set. */
export const POSTGRES_URL = process.env.COMMS_TEST_POSTGRES_URL;

/** A fresh schema name per test (the server creates it when migrating), and a way to drop it after. */
export async function postgresSchemas(url: string): Promise<{ fresh(): string; query<T>(sql: string): Promise<T[]>; close(): Promise<void> }> {
  const admin = await MikroORM.init({
    clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true }, ensureDatabase: false, pool: { min: 0, max: 2 },
  });
  const made: string[] = [];
  return {
    fresh() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      made.push(schema);
      return schema;
    },
    query: <T>(sql: string) => admin.em.getConnection().execute<T[]>(sql),
    async close() {
      for (const schema of made) await admin.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
      await admin.close(true);
    },
  };
}
