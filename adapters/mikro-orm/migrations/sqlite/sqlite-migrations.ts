import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';

/** Every SQLite migration, oldest first. Listed explicitly: no file globbing at runtime (tsx or dist/). */
export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
];
