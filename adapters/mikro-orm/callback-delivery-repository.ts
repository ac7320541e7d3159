import type { CallbackDeliveryRecord } from '../../ports/records.js';
import type { CallbackDeliveryRepository } from '../../ports/repositories.js';
import { DELIVERY_COLUMNS, INSERT_DELIVERY, deliveryParams, toCallbackDelivery } from './row-mapping.js';
import type { SqlExecutor } from './sql-executor.js';

const SELECT_DUE =
  `SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ` +
  'ORDER BY next_attempt_at, id LIMIT ?';
/**
 * Takes due rows by moving their next attempt to the lease's end in the same statement: a server that
 * claims at the same time skips them (PostgreSQL: SKIP LOCKED; SQLite has one writer), and a server that
 * dies mid-send leaves them due again once the lease ends.
 */
const claimDue = (lock: string): string =>
  `UPDATE callback_deliveries SET next_attempt_at = ? WHERE id IN (SELECT id FROM callback_deliveries ` +
  `WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?${lock}) RETURNING ${DELIVERY_COLUMNS}`;
const CLAIM_DUE = { sqlite: claimDue(''), postgresql: claimDue(' FOR UPDATE SKIP LOCKED') };
const SELECT_BACKLOG = `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM callback_deliveries WHERE status = 'pending'`;
const COUNT_DEAD = `SELECT COUNT(*) AS dead FROM callback_deliveries WHERE status = 'dead'`;
const SELECT_BY_ID = `SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries WHERE id = ?`;
const SELECT_FOR_MESSAGE =
  `SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries WHERE message_id = ? ORDER BY created_at, id`;
const UPDATE =
  'UPDATE callback_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? ' +
  'WHERE id = ?';

export class SqlCallbackDeliveryRepository implements CallbackDeliveryRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async enqueue(delivery: CallbackDeliveryRecord): Promise<void> {
    const params = deliveryParams(delivery, this.sql.codec);
    await this.sql.run((session) => session.run(INSERT_DELIVERY, params));
  }

  backlog(): Promise<{ pending: number; oldestCreatedAt: Date | null }> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BACKLOG, []);
      const pending = Number(row?.pending ?? 0);
      return { pending, oldestCreatedAt: pending > 0 && row?.oldest != null ? this.sql.codec.readTime(row.oldest) : null };
    });
  }

  due(now: Date, limit: number): Promise<CallbackDeliveryRecord[]> {
    const count = Math.floor(limit);
    if (!(count > 0)) return Promise.resolve([]);
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_DUE, [this.sql.codec.time(now), count]);
      return rows.map((row) => toCallbackDelivery(row, this.sql.codec));
    });
  }

  countDead(): Promise<number> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(COUNT_DEAD, []);
      return Number(row?.dead ?? 0);
    });
  }

  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<CallbackDeliveryRecord[]> {
    const count = Math.floor(limit);
    if (!(count > 0)) return Promise.resolve([]);
    const { codec } = this.sql;
    return this.sql.run(async (session) => {
      const rows = await session.rows(CLAIM_DUE[this.sql.dialect], [codec.time(leaseUntil), codec.time(now), count]);
      // RETURNING keeps no order: oldest due first, as `due` lists them (their due time is now the lease's end).
      return rows.map((row) => toCallbackDelivery(row, codec)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    });
  }

  findById(id: string): Promise<CallbackDeliveryRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_ID, [id]);
      return row ? toCallbackDelivery(row, this.sql.codec) : null;
    });
  }

  listForMessage(messageId: string): Promise<CallbackDeliveryRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_FOR_MESSAGE, [messageId]);
      return rows.map((row) => toCallbackDelivery(row, this.sql.codec));
    });
  }

  async update(
    id: string,
    patch: Pick<CallbackDeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'updatedAt'>,
  ): Promise<void> {
    const { codec } = this.sql;
    await this.sql.run((session) =>
      session.run(UPDATE, [
        patch.status, patch.attempts, codec.time(patch.nextAttemptAt), patch.lastError, codec.time(patch.updatedAt), id,
      ]),
    );
  }
}
