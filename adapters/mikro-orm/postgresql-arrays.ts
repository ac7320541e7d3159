/**
 * Many rows as one statement's parameters on PostgreSQL: one array parameter per column, `unnest($1::text[], …)`.
 * The text is the same whatever the number of rows, so it is prepared once per connection (rows of placeholders
 * would make a new text for every batch size).
 */
import type { SqlParam } from './sql-executor.js';

/** The PostgreSQL types of MESSAGE_COLUMNS (row-mapping.ts), in order. */
export const MESSAGE_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'timestamptz', 'timestamptz'];

/**
 * `$n::type[]` for each type, numbered from `offset + 1`. The `$n` placeholders are written out: the executor's `?`
 * conversion would not see past `::type[]`.
 */
export const arrayParams = (types: readonly string[], offset = 0): string => types.map((type, i) => `$${offset + i + 1}::${type}[]`).join(', ');

/** Rows as columns: `columns[c][row]`, one array parameter each. */
export function transpose(rows: readonly SqlParam[][], width: number): SqlParam[][] {
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]!));
}
