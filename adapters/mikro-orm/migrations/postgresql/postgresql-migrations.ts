import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';

/** Every PostgreSQL migration, oldest first. Listed explicitly: no file globbing at runtime (tsx or dist/). */
export const POSTGRESQL_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
];
