import type {
  AgentLimitsRecord, ClaimOutcome, CounterClaim, CounterShare, CounterValue, UsageQuery, UsageRecord, UsageRecordPatch, UsageRepository,
  UsageState, UsageTotals,
} from '../../ports/usage.js';
import type { GroupBatchOptions } from './group-batch.js';
import { PostgresqlReservations } from './postgresql-reservation-batch.js';
import { integer, jsonArray, jsonObject, member, nullableText, nullableTime, text, timeParam } from './row-values.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlParam, SqlRow, SqlSession } from './sql-executor.js';
import { SqliteReservations } from './sqlite-reservations.js';
import { adjustSql, byRowCount, counterParams, rowsOf } from './usage-counter-sql.js';

const RECORD_COLUMNS =
  'id, agent_id, channel, action, units, unit, provider, destination, cost_micros, price_micros, markup_bp, currency, ' +
  'cost_source, state, held_until, shares, message_id, call_id, created_at, updated_at';
const RECORD_PLACEHOLDERS = `(${RECORD_COLUMNS.split(', ').map(() => '?').join(', ')})`;
const insertRecordsSql = byRowCount((count) => `INSERT INTO usage_records (${RECORD_COLUMNS}) VALUES ${rowsOf(count, RECORD_PLACEHOLDERS)}`);
const SELECT_USED = 'SELECT used FROM usage_counters WHERE agent_id = ? AND counter = ? AND window_start = ?';
const SELECT_LIMITS = 'SELECT agent_id, tier, overrides, updated_at FROM agent_limits';
const UPSERT_LIMITS =
  'INSERT INTO agent_limits (agent_id, tier, overrides, updated_at) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (agent_id) DO UPDATE SET tier = excluded.tier, overrides = excluded.overrides, updated_at = excluded.updated_at';
const INSERT_ALERT =
  'INSERT INTO usage_alerts (agent_id, period, threshold, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING threshold';
const DAY = { sqlite: "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')", postgresql: "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')" } as const;

export class SqlUsageRepository implements UsageRepository {
  private readonly codec: SqlCodec;
  private readonly reservations: PostgresqlReservations | null;
  private readonly sqliteReservations: SqliteReservations | null;

  /**
   * `changed` is called after each write of an agent's limits has finished (see Database.onAgentsChanged).
   * `batch`: PostgreSQL outside a transaction, concurrent reservations share statements (postgresql-reservation-batch.ts).
   */
  constructor(private readonly sql: SqlExecutor, private readonly changed: () => void = () => undefined, batch: GroupBatchOptions | null = null) {
    this.codec = sql.codec;
    this.reservations = sql.dialect === 'postgresql' ? new PostgresqlReservations(sql, batch) : null;
    this.sqliteReservations = sql.dialect === 'sqlite' ? new SqliteReservations(this.codec) : null;
  }

  /**
   * PostgreSQL: one statement (shared with the reservations that arrive meanwhile), so the counter rows are
   * locked for that statement and its commit alone (a send's other writes never hold them). SQLite: one job of
   * the write batch, which decides the rows it has already claimed in memory (sqlite-reservations.ts).
   */
  async reserve(agentId: string, claims: readonly CounterClaim[], records: readonly UsageRecord[]): Promise<ClaimOutcome> {
    const merged = mergeClaims(claims);
    const hopeless = merged.find((c) => c.amount > c.cap);
    if (hopeless) return { ok: false, refused: hopeless, used: await this.usedOf(agentId, hopeless) };
    if (merged.length === 0) {
      await this.insertRecords(records);
      return { ok: true, values: [] };
    }
    if (this.reservations) return this.reservations.reserve({ agentId, claims: merged, records });
    const sqlite = this.sqliteReservations!;
    return this.sql.run((session) => sqlite.reserve(session, agentId, merged, async () => {
      if (records.length > 0) await session.run(insertRecordsSql(records.length), records.flatMap((r) => this.recordParams(r)));
    }));
  }

  async adjust(agentId: string, shares: readonly Omit<CounterShare, 'kind'>[]): Promise<void> {
    const merged = mergeClaims(shares.map((s) => ({ ...s, cap: 0 }))).filter((s) => s.amount !== 0);
    if (merged.length === 0) return;
    const sqlite = this.sqliteReservations;
    if (sqlite) return this.sql.run((session) => sqlite.adjust(session, agentId, merged));
    const params = merged.flatMap((s) => counterParams(this.codec, agentId, s, s.amount, Math.max(s.amount, 0)));
    await this.sql.run((session) => session.run(adjustSql(merged.length), params));
  }

  async pruneCounters(endedBefore: Date): Promise<number> {
    return this.sql.run((session) => session.run('DELETE FROM usage_counters WHERE window_end < ?', [this.codec.time(endedBefore)]));
  }

  counters(agentId: string | null, at: Date, prefix?: string): Promise<Array<CounterValue & { agentId: string }>> {
    const where = new SqlClauses('window_end > ?', this.codec.time(at));
    if (agentId !== null) where.and('agent_id = ?', agentId);
    if (prefix !== undefined) where.and('counter LIKE ?', `${prefix}%`);
    return this.sql.run(async (session) => {
      const rows = await session.rows(`SELECT agent_id, counter, window_start, window_end, used FROM usage_counters WHERE ${where.join(' AND ')} ORDER BY agent_id, counter`, where.params);
      return rows.map((row) => this.withPending(session, { ...this.toCounter(row), agentId: text(row, 'agent_id') }));
    });
  }

  async insertRecords(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sql.run((session) => session.run(insertRecordsSql(records.length), records.flatMap((r) => this.recordParams(r))));
  }

  async updateRecord(id: string, patch: UsageRecordPatch, onlyFrom: readonly UsageState[]): Promise<boolean> {
    const set = new SqlClauses('updated_at = ?', this.codec.time(patch.updatedAt));
    if (patch.state !== undefined) set.and('state = ?', patch.state);
    if (patch.heldUntil !== undefined) set.and('held_until = ?', timeParam(patch.heldUntil, this.codec));
    if (patch.units !== undefined) set.and('units = ?', patch.units);
    if (patch.costMicros !== undefined) set.and('cost_micros = ?', patch.costMicros);
    if (patch.priceMicros !== undefined) set.and('price_micros = ?', patch.priceMicros);
    if (patch.costSource !== undefined) set.and('cost_source = ?', patch.costSource);
    if (patch.shares !== undefined) set.and('shares = ?', this.sharesJson(patch.shares));
    if (patch.callId !== undefined) set.and('call_id = ?', patch.callId);
    const sql = `UPDATE usage_records SET ${set.join(', ')} WHERE id = ? AND state IN (${onlyFrom.map(() => '?').join(', ')})`;
    return (await this.sql.run((session) => session.run(sql, [...set.params, id, ...onlyFrom]))) > 0;
  }

  findByMessage(messageId: string): Promise<UsageRecord[]> {
    return this.records('message_id = ?', [messageId]);
  }

  findByCall(callId: string): Promise<UsageRecord[]> {
    return this.records('call_id = ?', [callId]);
  }

  expiredHolds(now: Date, limit: number): Promise<UsageRecord[]> {
    return this.records("state = 'held' AND held_until <= ? ORDER BY held_until, id LIMIT ?", [this.codec.time(now), Math.floor(limit)]);
  }

  async chargeReachedMessageHolds(now: Date, at: Date, limit: number): Promise<number> {
    // The sweeper's common case (every send's hold expires unresolved unless a price report settles it) as one
    // statement per batch instead of a read and an update per record. The subquery walks the (state,
    // held_until) index oldest first and meets each message by its primary key.
    const sql =
      // `state = 'held'` is checked again outside the subquery: PostgreSQL re-evaluates only the outer WHERE on a row
      // a concurrent release changed meanwhile, and a released hold must stay released.
      "UPDATE usage_records SET state = 'charged', held_until = NULL, updated_at = ? WHERE state = 'held' AND id IN (" +
      "SELECT u.id FROM usage_records u JOIN messages m ON m.id = u.message_id WHERE u.state = 'held' AND u.held_until <= ? " +
      "AND u.call_id IS NULL AND (m.provider_message_id IS NOT NULL OR m.status NOT IN ('pending', 'failed') OR m.error_code = 'PROVIDER_TIMEOUT') " +
      'ORDER BY u.held_until, u.id LIMIT ?)';
    return this.sql.run((session) => session.run(sql, [this.codec.time(at), this.codec.time(now), Math.floor(limit)]));
  }

  totals(query: UsageQuery): Promise<UsageTotals[]> {
    const day = DAY[this.sql.dialect];
    const where = new SqlClauses("state <> 'released'").and('created_at >= ?', this.codec.time(query.since)).and('created_at < ?', this.codec.time(query.until));
    if (query.agentId !== undefined) where.and('agent_id = ?', query.agentId);
    const sql =
      `SELECT agent_id, ${day} AS day, channel, action, unit, COUNT(*) AS records, SUM(units) AS units, ` +
      `SUM(cost_micros) AS cost_micros, SUM(price_micros) AS price_micros FROM usage_records WHERE ${where.join(' AND ')} ` +
      `GROUP BY agent_id, ${day}, channel, action, unit ORDER BY agent_id, day, channel, action`;
    return this.sql.run(async (session) => (await session.rows(sql, where.params)).map((row) => ({
      agentId: text(row, 'agent_id'), day: text(row, 'day'), channel: member(row, 'channel'), action: member(row, 'action'),
      unit: member(row, 'unit'), records: integer(row, 'records'), units: integer(row, 'units'),
      costMicros: integer(row, 'cost_micros'), priceMicros: integer(row, 'price_micros'),
    })));
  }

  getLimits(agentId: string): Promise<AgentLimitsRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(`${SELECT_LIMITS} WHERE agent_id = ?`, [agentId]);
      return row ? this.toLimits(row) : null;
    });
  }

  async setLimits(record: AgentLimitsRecord): Promise<void> {
    const params = [record.agentId, record.tier, this.codec.json(record.overrides), this.codec.time(record.updatedAt)];
    try {
      await this.sql.run((session) => session.run(UPSERT_LIMITS, params));
    } finally {
      this.changed();
    }
  }

  listLimits(): Promise<AgentLimitsRecord[]> {
    return this.sql.run(async (session) => (await session.rows(`${SELECT_LIMITS} ORDER BY agent_id`, [])).map((row) => this.toLimits(row)));
  }

  markAlert(agentId: string, period: string, threshold: number, at: Date): Promise<boolean> {
    return this.sql.run(async (session) => (await session.rows(INSERT_ALERT, [agentId, period, threshold, this.codec.time(at)])).length > 0);
  }

  private usedOf(agentId: string, claim: CounterClaim): Promise<number> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_USED, [agentId, claim.counter, this.codec.time(claim.windowStart)]);
      return this.withPending(session, { ...claim, agentId, used: row ? integer(row, 'used') : 0 }).used;
    });
  }

  /** SQLite: what the write batch has admitted and not yet written counts (sqlite-reservations.ts). */
  private withPending<T extends CounterValue & { agentId: string }>(session: SqlSession, value: T): T {
    return this.sqliteReservations ? this.sqliteReservations.withPending(session, value.agentId, value) : value;
  }

  private records(where: string, params: SqlParam[]): Promise<UsageRecord[]> {
    return this.sql.run(async (session) => (await session.rows(`SELECT ${RECORD_COLUMNS} FROM usage_records WHERE ${where}`, params)).map((row) => this.toRecord(row)));
  }

  private toCounter(row: SqlRow): CounterValue {
    return {
      counter: text(row, 'counter'),
      windowStart: this.codec.readTime(row.window_start),
      windowEnd: this.codec.readTime(row.window_end),
      used: integer(row, 'used'),
    };
  }

  /** Compact rows (written on every send): [counter, window start ms, window end ms, amount, kind]. */
  private sharesJson(shares: readonly CounterShare[]): SqlParam {
    return this.codec.json(shares.map((s) => [s.counter, s.windowStart.getTime(), s.windowEnd.getTime(), s.amount, s.kind]));
  }

  private recordParams(r: UsageRecord): SqlParam[] {
    return [
      r.id, r.agentId, r.channel, r.action, r.units, r.unit, r.provider, r.destination, r.costMicros, r.priceMicros,
      r.markupBasisPoints, r.currency, r.costSource, r.state, timeParam(r.heldUntil, this.codec), this.sharesJson(r.shares),
      r.messageId, r.callId, this.codec.time(r.createdAt), this.codec.time(r.updatedAt),
    ];
  }

  private toRecord(row: SqlRow): UsageRecord {
    const shares = jsonArray(row, 'shares', this.codec) as Array<[string, number, number, number, CounterShare['kind']]>;
    return {
      id: text(row, 'id'), agentId: text(row, 'agent_id'), channel: member(row, 'channel'), action: member(row, 'action'),
      units: integer(row, 'units'), unit: member(row, 'unit'), provider: text(row, 'provider'), destination: nullableText(row, 'destination'),
      costMicros: integer(row, 'cost_micros'), priceMicros: integer(row, 'price_micros'), markupBasisPoints: integer(row, 'markup_bp'),
      currency: text(row, 'currency'), costSource: member(row, 'cost_source'), state: member(row, 'state'),
      heldUntil: nullableTime(row, 'held_until', this.codec),
      shares: shares.map(([counter, start, end, amount, kind]) => ({ counter, windowStart: new Date(start), windowEnd: new Date(end), amount, kind })),
      messageId: nullableText(row, 'message_id'), callId: nullableText(row, 'call_id'),
      createdAt: this.codec.readTime(row.created_at), updatedAt: this.codec.readTime(row.updated_at),
    };
  }

  private toLimits(row: SqlRow): AgentLimitsRecord {
    return {
      agentId: text(row, 'agent_id'), tier: nullableText(row, 'tier'), overrides: jsonObject(row, 'overrides', this.codec),
      updatedAt: this.codec.readTime(row.updated_at),
    };
  }
}

/**
 * One entry per counter row (amounts summed), sorted by name: an upsert updates a row once per statement, a fixed
 * lock order keeps concurrent claims from deadlocking, and the refusal reported is the first in this order.
 */
function mergeClaims<T extends { counter: string; windowStart: Date; amount: number }>(claims: readonly T[]): readonly T[] {
  // A send's claims usually come one per row and in this order already (the rules' order): then as they are.
  if (claims.every((claim, i) => i === 0 || byCounterAndWindow(claims[i - 1]!, claim) < 0)) return claims;
  const merged: T[] = [];
  // Sorted, a counter's claims are neighbours; a claim is never changed: a merged one is a new object.
  for (const claim of [...claims].sort(byCounterAndWindow)) {
    const last = merged[merged.length - 1];
    if (last && byCounterAndWindow(last, claim) === 0) merged[merged.length - 1] = { ...last, amount: last.amount + claim.amount };
    else merged.push(claim);
  }
  return merged;
}

function byCounterAndWindow(a: { counter: string; windowStart: Date }, b: { counter: string; windowStart: Date }): number {
  return a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : a.windowStart.getTime() - b.windowStart.getTime();
}
