/**
 * True when a statement failed on a FOREIGN KEY constraint (a row referring to one that does not
 * exist). Raw driver codes only: the hot paths talk to the drivers directly.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // 23503 = foreign_key_violation (PostgreSQL); better-sqlite3 reports SQLite's extended result codes.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
