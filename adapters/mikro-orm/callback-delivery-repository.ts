import type { CallbackDeliveryRecord } from '../../ports/records.js';
import type { CallbackDeliveryRepository } from '../../ports/repositories.js';
import { DELIVERY_COLUMNS, INSERT_DELIVERY, deliveryParams, toCallbackDelivery } from './row-mapping.js';
import type { SqlExecutor } from './sql-executor.js';

const SELECT_DUE =
  `SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ` +
  'ORDER BY next_attempt_at, id LIMIT ?';
const SELECT_BACKLOG = `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM callback_deliveries WHERE status = 'pending'`;
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
