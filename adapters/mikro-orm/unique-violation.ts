import { UniqueConstraintViolationException } from '@mikro-orm/core';

/**
 * True when a statement failed on a UNIQUE or PRIMARY KEY constraint. Recognises MikroORM's converted
 * exception as well as the raw driver errors, because the hot paths talk to the drivers directly.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof UniqueConstraintViolationException) return true;
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // 23505 = unique_violation (PostgreSQL); better-sqlite3 reports SQLite's extended result codes.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
