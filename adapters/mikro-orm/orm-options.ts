import type { MigrationObject } from '@mikro-orm/core';
import type { Logger } from '../../ports/runtime.js';
import { ENTITIES } from './entities.js';

/** MikroORM options both dialects share: explicit entities and migrations, no file access or side effects. */
export function sharedOrmOptions(logger: Logger, migrationsList?: MigrationObject[]) {
  return {
    entities: ENTITIES,
    // No folder scanning, no reflection, no metadata cache files: works the same from sources and dist/.
    discovery: { disableDynamicFileAccess: true },
    // The server loads the migrator and the list only when one is pending (pending-migrations.ts); tests pass a list.
    migrations: {
      ...(migrationsList ? { migrationsList } : {}),
      tableName: 'mikro_orm_migrations',
      // The schema is owned by the hand-written migrations: no snapshot files next to them.
      snapshot: false,
      silent: true,
      transactional: true,
      allOrNothing: true,
      disableForeignKeys: false,
    },
    // Creating a database is a deployment decision; `create` must not touch the schema either.
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
    logger: (message: string) => logger.debug({ component: 'mikro-orm' }, message),
  };
}
