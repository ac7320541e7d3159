import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationObject, MikroORM, Transaction } from '@mikro-orm/core';

export type MigrationDialect = 'sqlite' | 'postgresql';

const MIGRATION_MODULE = /^(Migration\d{14}_\w+)\.(?:js|ts)$/;

/**
 * The names of a dialect's migrations, read from the module names in its folder (sources or dist/)
 * without loading them: loading one loads @mikro-orm/migrations, umzug and their CLI dependencies.
 * A contract test keeps this equal to the dialect's explicit list.
 */
export function migrationNames(dialect: MigrationDialect): string[] {
  const names = readdirSync(join(import.meta.dirname, dialect)).flatMap((file) => MIGRATION_MODULE.exec(file)?.[1] ?? []);
  return names.sort();
}

/** True when the migration log lists every migration of the dialect (false too when there is no log yet). */
async function migrated(orm: MikroORM, dialect: MigrationDialect): Promise<boolean> {
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  try {
    const rows: Array<{ name: string }> = await orm.em.getConnection().execute(`select name from ${table}`);
    const applied = new Set(rows.map((row) => row.name));
    return migrationNames(dialect).every((name) => applied.has(name));
  } catch {
    return false;
  }
}

/**
 * Applies the pending migrations and returns their names. MikroORM's migrator and the migration
 * classes are loaded only when the log lacks one, so a server starting on a migrated database never
 * loads them (a large share of its start-up time and memory).
 */
export async function applyPendingMigrations(
  orm: MikroORM,
  dialect: MigrationDialect,
  list: () => Promise<MigrationObject[]>,
  run: (up: (transaction?: Transaction) => Promise<string[]>) => Promise<string[]> = (up) => up(),
): Promise<string[]> {
  if (await migrated(orm, dialect)) return [];
  const [{ Migrator }, migrationsList] = await Promise.all([import('@mikro-orm/migrations'), list()]);
  orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList });
  Migrator.register(orm);
  return run(async (transaction) => {
    const applied = await orm.getMigrator().up(transaction ? { transaction } : {});
    return applied.map((migration) => migration.name);
  });
}
