import { describe, expect, it } from 'vitest';
import { migrationNames } from '../../adapters/mikro-orm/migrations/pending-migrations.js';
import { POSTGRESQL_MIGRATIONS } from '../../adapters/mikro-orm/migrations/postgresql/postgresql-migrations.js';
import { SQLITE_MIGRATIONS } from '../../adapters/mikro-orm/migrations/sqlite/sqlite-migrations.js';

/**
 * A starting server decides whether to load the migrator from the migration modules' names in the
 * dialect's folder (without loading them): every module there must be in the explicit list, and back.
 */
describe('migration names read from the folders', () => {
  it('are the names of the SQLite list', () => {
    expect(migrationNames('sqlite')).toEqual(SQLITE_MIGRATIONS.map((m) => m.name).sort());
  });

  it('are the names of the PostgreSQL list', () => {
    expect(migrationNames('postgresql')).toEqual(POSTGRESQL_MIGRATIONS.map((m) => m.name).sort());
  });
});
