import { afterAll, beforeAll, describe } from 'vitest';
import { POSTGRES_URL, postgresSchemas } from './postgres-schema.js';

/** The `db` section of a test server's config: undefined for the default SQLite. */
export type TestDbSection = { use: string; options: Record<string, unknown> } | undefined;

/**
 * Declares `suite` twice: on SQLite, then on a fresh PostgreSQL schema when COMMS_TEST_POSTGRES_URL is set
 * (skipped, and reported so, when it is not). `db()` is read once the suite's hooks run.
 */
export function onSqliteAndPostgres(suite: (label: string, db: () => TestDbSection) => void): void {
  suite('SQLite', () => undefined);
  describe.skipIf(!POSTGRES_URL)('PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
    let schema = '';
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
      schema = schemas.fresh();
    });
    afterAll(() => schemas?.close());
    suite('PostgreSQL', () => ({ use: 'postgresql', options: { url: POSTGRES_URL!, schema } }));
  });
}
