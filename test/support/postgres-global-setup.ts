/**
 * Vitest global setup for the PostgreSQL tests. Every test works in a schema of its own; dropping one
 * while other test files migrate theirs made MikroORM's table listing (it casts every table of every
 * schema to regclass) fail with "schema … does not exist". So schemas are named after this run and all
 * dropped once, after the last test file, when nothing migrates any more.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';

export default function setup(): (() => Promise<void>) | undefined {
  const url = process.env.COMMS_TEST_POSTGRES_URL;
  if (!url) return undefined;
  const run = randomBytes(4).toString('hex');
  // Inherited by the test processes, which are started after this.
  process.env.COMMS_TEST_PG_RUN = run;
  return async () => {
    const admin = await MikroORM.init({
      clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true }, ensureDatabase: false,
    });
    try {
      const schemas = await admin.em.getConnection().execute<Array<{ nspname: string }>>(
        'select nspname from pg_namespace where nspname like ?', [`t\\_${run}\\_%`],
      );
      for (const { nspname } of schemas) await admin.em.getConnection().execute(`drop schema if exists "${nspname}" cascade`);
    } finally {
      await admin.close(true);
    }
  };
}
