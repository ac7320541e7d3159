/**
 * Column checkers for row mapping. Values are checked, not cast: a schema that drifted from the
 * migrations fails loudly here instead of leaking wrong types to core.
 */
import type { SqlCodec, SqlParam, SqlRow } from './sql-executor.js';

export function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`Column ${column} is not text.`);
  return value;
}

export function nullableText(row: SqlRow, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : text(row, column);
}

/** Accepts numeric strings too: node-postgres returns bigint columns as strings. */
export function integer(row: SqlRow, column: string): number {
  const value = Number(row[column]);
  if (!Number.isSafeInteger(value)) throw new TypeError(`Column ${column} is not an integer.`);
  return value;
}

export function nullableInteger(row: SqlRow, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : integer(row, column);
}

/** SQLite has no boolean type: it stores 0/1 integers, where PostgreSQL returns real booleans. */
export function flag(row: SqlRow, column: string): boolean {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw new TypeError(`Column ${column} is not a boolean.`);
}

/** Stored values come from our own writes, so the union members are trusted after the type check. */
export function member<T extends string>(row: SqlRow, column: string): T {
  return text(row, column) as T;
}

export function nullableTime(row: SqlRow, column: string, codec: SqlCodec): Date | null {
  const value = row[column];
  return value === null || value === undefined ? null : codec.readTime(value);
}

export function timeParam(value: Date | null, codec: SqlCodec): SqlParam {
  return value === null ? null : codec.time(value);
}

export function jsonObject(row: SqlRow, column: string, codec: SqlCodec): Record<string, unknown> {
  const value = codec.readJson(row[column]);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Column ${column} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

export function jsonArray(row: SqlRow, column: string, codec: SqlCodec): unknown[] {
  const value = codec.readJson(row[column]);
  if (!Array.isArray(value)) throw new TypeError(`Column ${column} is not a JSON array.`);
  return value as unknown[];
}
