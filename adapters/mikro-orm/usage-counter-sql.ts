/** Statements on usage_counters that both dialects run, and how a counter row's parameters are laid out. */
import type { SqlCodec, SqlParam } from './sql-executor.js';

/** Statement texts by row count, built once: the executors cache prepared statements by their text. */
export function byRowCount(build: (count: number) => string): (count: number) => string {
  const texts: string[] = [];
  return (count) => (texts[count] ??= build(count));
}

export const rowsOf = (count: number, placeholders: string): string => Array.from({ length: count }, () => placeholders).join(', ');

const COUNTER_COLUMNS = 'agent_id, counter, window_start, window_end, used, cap';
const COUNTER_PLACEHOLDERS = '(?, ?, ?, ?, ?, ?)';

/** Inserts counter rows (counterParams each), or on conflict runs `onConflict` (… DO UPDATE SET …). */
export const counterUpsert = (onConflict: string): ((count: number) => string) =>
  byRowCount((count) => `INSERT INTO usage_counters (${COUNTER_COLUMNS}) VALUES ${rowsOf(count, COUNTER_PLACEHOLDERS)} ON CONFLICT (agent_id, counter, window_start) ${onConflict}`);

/**
 * Adjustments ignore caps: a settled cost above its estimate may pass the cap (the next claim is then refused). The
 * stored cap is only the last claim's, for reading; raising it keeps used <= cap readable.
 */
export const adjustSql = counterUpsert(
  'DO UPDATE SET used = usage_counters.used + excluded.used, ' +
    'cap = CASE WHEN usage_counters.used + excluded.used > usage_counters.cap THEN usage_counters.used + excluded.used ELSE usage_counters.cap END',
);

export function counterParams(codec: SqlCodec, agentId: string, c: { counter: string; windowStart: Date; windowEnd: Date }, amount: number, cap: number): SqlParam[] {
  return [agentId, c.counter, codec.time(c.windowStart), codec.time(c.windowEnd), amount, cap];
}
