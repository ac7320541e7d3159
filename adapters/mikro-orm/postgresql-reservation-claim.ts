/**
 * A batch of PostgreSQL usage reservations claimed by one plain statement, for the common case where every counter
 * has room for the whole batch. The batch's amounts, summed per counter row, are added where each row stays within
 * its cap (the smallest cap the batch asks for), locking the rows in the order comms_reserve_usage uses, and the
 * records are stored; the guard comms_usage_claimed (migration Migration20261206100100_usage_claim_guard) raises
 * CU001 when some counter had no room, which undoes the whole statement: the caller then lets comms_reserve_usage
 * decide each reservation in turn. Everything travels as typed arrays (no jsonb to parse) in one text, prepared once
 * per connection, so PostgreSQL does about half the work of a call of that function.
 *
 * Every reservation of an admitted batch is admitted, so each one's counter values are what the batch's final
 * values were before the reservations after it in the batch added theirs, as if they had been claimed in turn.
 */
import type { ClaimOutcome, CounterClaim, CounterValue, UsageRecord } from '../../ports/usage.js';
import { arrayParams, transpose } from './postgresql-arrays.js';
import { timeParam } from './row-values.js';
import type { SqlArgument, SqlCodec, SqlParam, SqlRow } from './sql-executor.js';

const COUNTER_TYPES = ['text', 'text', 'timestamptz', 'timestamptz', 'bigint', 'bigint'];
const RECORD_TYPES = [
  'text', 'text', 'text', 'text', 'integer', 'text', 'text', 'text', 'bigint', 'bigint',
  'integer', 'text', 'text', 'text', 'timestamptz', 'jsonb', 'text', 'text', 'timestamptz', 'timestamptz',
];

/** SQLSTATE of the guard: some counter had no room for the whole batch. */
export const CLAIM_REFUSED = 'CU001';

/**
 * The counters' CTE runs first (the guard's subquery reads it); the records' insert runs after it, and a raise of
 * the guard undoes both. A fresh row takes no WHERE, so the guard checks `used <= cap` on every returned row. The
 * guard is a subquery of its own, which PostgreSQL runs once before any row (a one-time filter): called in the
 * WHERE directly, a volatile function runs per returned row, so never when every counter was refused.
 * Window starts come back as epoch milliseconds: a timestamp parsed into a Date cost the server ≈ 15 µs per send.
 */
const CLAIM =
  'WITH claimed AS (' +
  'INSERT INTO usage_counters AS u (agent_id, counter, window_start, window_end, used, cap) ' +
  `SELECT * FROM unnest(${arrayParams(COUNTER_TYPES)}) AS c(agent_id, counter, window_start, window_end, used, cap) ` +
  'ORDER BY c.agent_id COLLATE "C", c.counter COLLATE "C", c.window_start ' +
  'ON CONFLICT (agent_id, counter, window_start) DO UPDATE SET used = u.used + excluded.used, cap = excluded.cap ' +
  'WHERE u.used + excluded.used <= excluded.cap ' +
  'RETURNING u.agent_id, u.counter, u.window_start, u.used, u.cap' +
  '), stored AS (' +
  'INSERT INTO usage_records (id, agent_id, channel, action, units, unit, provider, destination, cost_micros, price_micros, ' +
  'markup_bp, currency, cost_source, state, held_until, shares, message_id, call_id, created_at, updated_at) ' +
  `SELECT * FROM unnest(${arrayParams(RECORD_TYPES, COUNTER_TYPES.length)})` +
  ') SELECT agent_id, counter, (extract(epoch FROM window_start) * 1000)::bigint AS start_ms, used FROM claimed ' +
  'WHERE (SELECT comms_usage_claimed((SELECT count(*) FROM claimed WHERE used <= cap) = cardinality($1::text[])))';

export interface Reservation {
  agentId: string;
  /** Merged (one per counter row) and in the order the first refusal is looked for. */
  claims: readonly CounterClaim[];
  records: readonly UsageRecord[];
}

/** A counter row of the batch: its key, and the sum of the batch's amounts on it. */
interface CounterRow {
  agentId: string;
  counter: string;
  windowStart: Date;
  windowEnd: Date;
  amount: number;
  cap: number;
}

const keyOf = (agentId: string, counter: string, startMs: number): string => `${agentId}\u0000${counter}\u0000${startMs}`;

/**
 * Claims the batch in one statement. Answers each reservation's outcome, or throws: CLAIM_REFUSED (some counter
 * had no room: nothing was done) or the statement's own error.
 */
export async function claimTogether(
  arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
  codec: SqlCodec,
  items: readonly Reservation[],
): Promise<ClaimOutcome[]> {
  const rows = new Map<string, CounterRow>();
  for (const item of items) {
    for (const c of item.claims) {
      const key = keyOf(item.agentId, c.counter, c.windowStart.getTime());
      const row = rows.get(key);
      if (row) rows.set(key, { ...row, amount: row.amount + c.amount, cap: Math.min(row.cap, c.cap) });
      else rows.set(key, { agentId: item.agentId, counter: c.counter, windowStart: c.windowStart, windowEnd: c.windowEnd, amount: c.amount, cap: c.cap });
    }
  }
  const counterParams = [...rows.values()].map((r): SqlParam[] => [r.agentId, r.counter, codec.time(r.windowStart), codec.time(r.windowEnd), r.amount, r.cap]);
  const recordParams = items.flatMap((item) => item.records.map((r) => recordRow(r, codec)));
  const answer = await arrayRows(CLAIM, [...transpose(counterParams, COUNTER_TYPES.length), ...transpose(recordParams, RECORD_TYPES.length)]);
  const used = new Map<string, number>();
  for (const row of answer) used.set(keyOf(String(row.agent_id), String(row.counter), safeInteger(row.start_ms)), safeInteger(row.used));
  if (used.size !== rows.size) throw new Error(`The usage claim answered ${used.size} counters for ${rows.size}.`);
  // Backwards from the batch's final values: each reservation sees them less what the later ones added.
  const outcomes: ClaimOutcome[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    const values = item.claims.map((c): CounterValue => {
      const key = keyOf(item.agentId, c.counter, c.windowStart.getTime());
      const value = used.get(key)!;
      used.set(key, value - c.amount);
      return { counter: c.counter, windowStart: c.windowStart, windowEnd: c.windowEnd, used: value };
    });
    outcomes[i] = { ok: true, values };
  }
  return outcomes;
}

/** node-postgres returns bigint values as strings. */
export function safeInteger(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError('PostgreSQL answered a usage counter value that is not an integer.');
  return n;
}

/** A record in RECORD_TYPES order; shares as the compact rows SqlUsageRepository stores. */
function recordRow(r: UsageRecord, codec: SqlCodec): SqlParam[] {
  return [
    r.id, r.agentId, r.channel, r.action, r.units, r.unit, r.provider, r.destination, r.costMicros, r.priceMicros,
    r.markupBasisPoints, r.currency, r.costSource, r.state, timeParam(r.heldUntil, codec),
    codec.json(r.shares.map((x) => [x.counter, x.windowStart.getTime(), x.windowEnd.getTime(), x.amount, x.kind])),
    r.messageId, r.callId, codec.time(r.createdAt), codec.time(r.updatedAt),
  ];
}
