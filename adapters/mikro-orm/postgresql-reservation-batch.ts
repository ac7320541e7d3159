/**
 * PostgreSQL usage reservations, written together. With usage limits on, every send reserves its budget first:
 * one statement and round trip of its own, about one in four of a send's statements, and all the sends of an
 * agent queue on the same counter rows, locked until each commit. Here a reservation goes out at once when no
 * batch is in flight, and the reservations that arrive meanwhile go out together in one statement: first the
 * plain statement of postgresql-reservation-claim.ts, which admits the whole batch when every counter has room
 * for all of it (the common case, and half the work for PostgreSQL), else a call of the `comms_reserve_usage`
 * function (migration Migration20261205110100_usage_reserve_batch, which holds the locking, durability and
 * deadlock arguments): it decides each reservation in turn, all or nothing, so the caps are exact as with one
 * statement each. Each caller gets its own outcome once the batch is committed. A batch that fails (a bad
 * record) is written again one reservation at a time, so that only the bad one fails.
 */
import type { ClaimOutcome, CounterClaim } from '../../ports/usage.js';
import { GroupBatch, type GroupBatchOptions } from './group-batch.js';
import { CLAIM_REFUSED, claimTogether, safeInteger, type Reservation } from './postgresql-reservation-claim.js';
import { timeParam } from './row-values.js';
import type { SqlArgument, SqlCodec, SqlExecutor, SqlRow } from './sql-executor.js';

export type { Reservation } from './postgresql-reservation-claim.js';

/** One text whatever the batch (prepared once per connection): the reservations travel as one jsonb array. */
const RESERVE = 'SELECT refused_claim, counter_values FROM comms_reserve_usage(?::jsonb)';

/**
 * Two batches in flight: the second waits at the server for the first one's counter locks (when they share an
 * agent), so it runs the moment they are released instead of a round trip later.
 */
export const DEFAULT_RESERVATION_BATCH: GroupBatchOptions = { concurrency: 2, maxBatch: 128 };

/**
 * How long the agents of a batch the plain statement could not admit go straight to comms_reserve_usage: near a
 * cap, their next batches would be refused by it too, each a statement spent for nothing.
 */
const NEAR_CAP_MS = 1_000;

export class PostgresqlReservations {
  private readonly batch: GroupBatch<Reservation, ClaimOutcome> | null;
  /** The plain statement's executor: only outside a transaction (its refusal undoes the statement's transaction). */
  private readonly arrayRows: ((sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>) | null;
  /** Agent id → until when its reservations skip the plain statement (NEAR_CAP_MS). */
  private readonly nearCap = new Map<string, number>();

  /**
   * `options` null: every reservation is its own call of comms_reserve_usage (inside a transaction, whose
   * statements stay its own).
   */
  constructor(private readonly sql: SqlExecutor, options: GroupBatchOptions | null) {
    this.arrayRows = options && sql.arrayRows ? sql.arrayRows.bind(sql) : null;
    this.batch = options
      ? new GroupBatch<Reservation, ClaimOutcome>({ writeBatch: (items) => this.write(items), writeAlone: async (item) => (await this.write([item]))[0]! }, options)
      : null;
  }

  reserve(reservation: Reservation): Promise<ClaimOutcome> {
    return this.batch ? this.batch.add(reservation) : this.write([reservation]).then((outcomes) => outcomes[0]!);
  }

  private async write(items: readonly Reservation[]): Promise<ClaimOutcome[]> {
    if (this.arrayRows && !this.anyNearCap(items)) {
      try {
        return await claimTogether(this.arrayRows, this.sql.codec, items);
      } catch (err) {
        if ((err as { code?: unknown }).code !== CLAIM_REFUSED) throw err;
        const until = Date.now() + NEAR_CAP_MS;
        for (const item of items) this.nearCap.set(item.agentId, until);
      }
    }
    return this.decideInTurn(items);
  }

  private anyNearCap(items: readonly Reservation[]): boolean {
    if (this.nearCap.size === 0) return false;
    const now = Date.now();
    for (const [agentId, until] of this.nearCap) if (until <= now) this.nearCap.delete(agentId);
    return items.some((item) => this.nearCap.has(item.agentId));
  }

  /** One call of comms_reserve_usage: each reservation decided in turn against what the ones before it left. */
  private async decideInTurn(items: readonly Reservation[]): Promise<ClaimOutcome[]> {
    const { codec } = this.sql;
    const param = codec.json(items.map((item) => reservationJson(item, codec)));
    const rows = await this.sql.run((session) => session.rows(RESERVE, [param]));
    if (rows.length !== items.length) throw new Error(`comms_reserve_usage answered ${rows.length} rows for ${items.length} reservations.`);
    return items.map((item, i) => outcome(item.claims, rows[i]!));
  }
}

/** A row of the function's answer: no refused claim and a value per claim, or the refused claim and its counter's value. */
function outcome(claims: readonly CounterClaim[], row: SqlRow): ClaimOutcome {
  const values = (row.counter_values as unknown[]).map((v) => safeInteger(v));
  if (row.refused_claim === null) {
    return { ok: true, values: claims.map((c, i) => ({ counter: c.counter, windowStart: c.windowStart, windowEnd: c.windowEnd, used: values[i]! })) };
  }
  return { ok: false, refused: claims[Number(row.refused_claim)]!, used: values[0]! };
}

/** A reservation as an element of the function's parameter (see the migration for its shape). */
function reservationJson(item: Reservation, codec: SqlCodec): Record<string, unknown> {
  return {
    a: item.agentId,
    c: item.claims.map((c) => [c.counter, codec.time(c.windowStart), codec.time(c.windowEnd), c.amount, c.cap]),
    r: item.records.map((r) => ({
      id: r.id, agent_id: r.agentId, channel: r.channel, action: r.action, units: r.units, unit: r.unit, provider: r.provider,
      destination: r.destination, cost_micros: r.costMicros, price_micros: r.priceMicros, markup_bp: r.markupBasisPoints,
      currency: r.currency, cost_source: r.costSource, state: r.state, held_until: timeParam(r.heldUntil, codec),
      shares: r.shares.map((x) => [x.counter, x.windowStart.getTime(), x.windowEnd.getTime(), x.amount, x.kind]),
      message_id: r.messageId, call_id: r.callId, created_at: codec.time(r.createdAt), updated_at: codec.time(r.updatedAt),
    })),
  };
}
