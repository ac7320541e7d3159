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

/** A counter row of the batch: its key, the sum of the batch's amounts on it, then its value once claimed. */
interface CounterRow {
  agentId: string;
  counter: string;
  startMs: number;
  windowStart: Date;
  windowEnd: Date;
  amount: number;
  cap: number;
  used: number;
}

/**
 * The batch's counter rows by agent, counter and window start. Nested maps rather than one map of joined keys: a
 * send names about six counters and each is looked up three times (summed, answered, handed back), and building and
 * hashing a joined key string each time was most of this module's CPU (≈ 20 µs of server CPU per send, profiled).
 */
class CounterRows {
  readonly all: CounterRow[] = [];
  private readonly byAgent = new Map<string, Map<string, CounterRow[]>>();

  /** The row, or undefined. A counter's rows differ only when a window rolled over within the batch (rare). */
  find(agentId: string, counter: string, startMs: number): CounterRow | undefined {
    const rows = this.byAgent.get(agentId)?.get(counter);
    if (rows) for (const row of rows) if (row.startMs === startMs) return row;
    return undefined;
  }

  add(agentId: string, c: CounterClaim): void {
    const startMs = c.windowStart.getTime();
    const row = this.find(agentId, c.counter, startMs);
    if (row) {
      row.amount += c.amount;
      row.cap = Math.min(row.cap, c.cap);
      return;
    }
    const created: CounterRow = { agentId, counter: c.counter, startMs, windowStart: c.windowStart, windowEnd: c.windowEnd, amount: c.amount, cap: c.cap, used: Number.NaN };
    this.all.push(created);
    let byCounter = this.byAgent.get(agentId);
    if (!byCounter) this.byAgent.set(agentId, (byCounter = new Map()));
    const rows = byCounter.get(c.counter);
    if (rows) rows.push(created);
    else byCounter.set(c.counter, [created]);
  }
}

/**
 * Claims the batch in one statement. Answers each reservation's outcome, or throws: CLAIM_REFUSED (some counter
 * had no room: nothing was done) or the statement's own error.
 */
export async function claimTogether(
  arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
  codec: SqlCodec,
  items: readonly Reservation[],
): Promise<ClaimOutcome[]> {
  const rows = new CounterRows();
  for (const item of items) for (const c of item.claims) rows.add(item.agentId, c);
  const counterParams = rows.all.map((r): SqlParam[] => [r.agentId, r.counter, windowTime(r.windowStart, codec), windowTime(r.windowEnd, codec), r.amount, r.cap]);
  const recordParams = items.flatMap((item) => item.records.map((r) => recordRow(r, codec)));
  const answer = await arrayRows(CLAIM, [...transpose(counterParams, COUNTER_TYPES.length), ...transpose(recordParams, RECORD_TYPES.length)]);
  let answered = 0;
  for (const row of answer) {
    const claimed = rows.find(String(row.agent_id), String(row.counter), safeInteger(row.start_ms));
    if (!claimed) continue;
    if (Number.isNaN(claimed.used)) answered++;
    claimed.used = safeInteger(row.used);
  }
  if (answered !== rows.all.length) throw new Error(`The usage claim answered ${answered} counters for ${rows.all.length}.`);
  // Backwards from the batch's final values: each reservation sees them less what the later ones added.
  const outcomes: ClaimOutcome[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    const values = item.claims.map((c): CounterValue => {
      const row = rows.find(item.agentId, c.counter, c.windowStart.getTime())!;
      const value = row.used;
      row.used = value - c.amount;
      return { counter: c.counter, windowStart: c.windowStart, windowEnd: c.windowEnd, used: value };
    });
    outcomes[i] = { ok: true, values };
  }
  return outcomes;
}

/**
 * A window bound as the codec writes it, remembered: every send of a batch names the same few windows (this
 * minute, hour, day, month), each a new Date, and formatting one costs ≈ 1-2 µs on this machine.
 */
const windowTexts = new WeakMap<SqlCodec, Map<number, SqlParam>>();
function windowTime(value: Date, codec: SqlCodec): SqlParam {
  let texts = windowTexts.get(codec);
  if (!texts) windowTexts.set(codec, (texts = new Map()));
  const ms = value.getTime();
  let text = texts.get(ms);
  if (text === undefined) {
    // Bounded: old windows are dropped wholesale (a few new ones a minute).
    if (texts.size >= 256) texts.clear();
    texts.set(ms, (text = codec.time(value)));
  }
  return text;
}

/** node-postgres returns bigint values as strings. */
export function safeInteger(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError('PostgreSQL answered a usage counter value that is not an integer.');
  return n;
}

/** A record in RECORD_TYPES order; shares as the compact rows SqlUsageRepository stores. */
function recordRow(r: UsageRecord, codec: SqlCodec): SqlParam[] {
  // A new record is created and updated at the same instant: formatted once.
  const created = codec.time(r.createdAt);
  return [
    r.id, r.agentId, r.channel, r.action, r.units, r.unit, r.provider, r.destination, r.costMicros, r.priceMicros,
    r.markupBasisPoints, r.currency, r.costSource, r.state, timeParam(r.heldUntil, codec),
    codec.json(r.shares.map((x) => [x.counter, x.windowStart.getTime(), x.windowEnd.getTime(), x.amount, x.kind])),
    r.messageId, r.callId, created, r.updatedAt.getTime() === r.createdAt.getTime() ? created : codec.time(r.updatedAt),
  ];
}
