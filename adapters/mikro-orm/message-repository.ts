import { DomainError } from '../../ports/errors.js';
import type { CallbackDeliveryRecord, Channel, MessageRecord, MessageStatus } from '../../ports/records.js';
import type {
  InsertOutcome, MessageQuery, MessageRepository, StatusChange,
} from '../../ports/repositories.js';
import { DELIVERY_COLUMNS, INSERT_DELIVERY, MESSAGE_COLUMNS, deliveryParams, toMessage } from './row-mapping.js';
import { messageHistorySql } from './message-history-query.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlParam, SqlSession } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';
import { IDEMPOTENCY_CONFLICT } from './migrations/message-partial-indexes.js';
import { InboundInsertBatch } from './postgresql-inbound-batch.js';
import { OutboundInsertBatch } from './postgresql-outbound-batch.js';
import { StatusBatcher } from './status-batcher.js';

const MESSAGE_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
// The conflict targets are the unique constraints themselves: a key or provider id already stored
// means "return the stored row", any other violation (a reused primary key …) still fails.
const INSERT_OUTBOUND =
  `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ${MESSAGE_VALUES} ` +
  `${IDEMPOTENCY_CONFLICT} DO NOTHING RETURNING id`;
const INSERT_INBOUND_ONCE =
  `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES ${MESSAGE_VALUES} ` +
  'ON CONFLICT (agent_id, channel, provider_message_id) DO NOTHING';
const INSERT_INBOUND = `${INSERT_INBOUND_ONCE} RETURNING id`;
// PostgreSQL only: message and delivery in one atomic statement, one round trip instead of four
// (BEGIN, two INSERTs, COMMIT), measured ~3x the throughput. The delivery is written only if the
// message was. Parameters in a SELECT list need casts; the order is that of DELIVERY_COLUMNS.
const INSERT_INBOUND_WITH_DELIVERY_PG =
  `WITH inserted AS (${INSERT_INBOUND}) ` +
  `INSERT INTO callback_deliveries (${DELIVERY_COLUMNS}) ` +
  'SELECT ?, ?, ?, ?, ?, ?, ?::integer, ?::timestamptz, ?, ?::timestamptz, ?::timestamptz FROM inserted ' +
  'RETURNING message_id';
const SELECT_BY_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`;
const SELECT_BY_IDEMPOTENCY_KEY = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE agent_id = ? AND idempotency_key = ?`;
/** Exported for the plan check of the pending-message index (database-sqlite-plugin.test.ts). */
export const SELECT_STUCK_PENDING =
  `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE status = 'pending' AND direction = 'outbound' AND updated_at < ? ` +
  'ORDER BY updated_at, id LIMIT ?';
const SELECT_BY_PROVIDER_ID =
  `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE agent_id = ? AND channel = ? AND provider_message_id = ?`;

export class SqlMessageRepository implements MessageRepository {
  private readonly codec: SqlCodec;
  /** PostgreSQL outside a transaction: concurrent inbound inserts share one statement and one commit. */
  private readonly inboundBatch: InboundInsertBatch | null;
  /** The same for the outbound inserts of concurrent sends. */
  private readonly outboundBatch: OutboundInsertBatch | null;
  private readonly batcher: StatusBatcher | null;

  /** `batchStatuses`: concurrent status changes share statements (PostgreSQL, outside transactions; see status-batcher.ts). */
  constructor(private readonly sql: SqlExecutor, batchStatuses = false) {
    this.codec = sql.codec;
    const arrayRows = sql.arrayRows?.bind(sql);
    this.inboundBatch = arrayRows
      ? new InboundInsertBatch(arrayRows, this.codec, (m) => this.messageParams(m), (m, d) => this.insertInboundAlone(m, d),
        (m) => this.sql.run(async (session) => ({ inserted: false, message: await this.storedRedelivery(session, m) })))
      : null;
    this.outboundBatch = arrayRows
      ? new OutboundInsertBatch(arrayRows, (m) => this.messageParams(m), (m) => this.insertOutboundAlone(m),
        (m) => this.sql.run(async (session) => ({ inserted: false, message: await this.storedByKey(session, m) })))
      : null;
    this.batcher = batchStatuses ? new StatusBatcher(sql, sql.codec, (id, change, onlyFrom) => this.changeStatusAlone(id, change, onlyFrom)) : null;
  }

  insertOutbound(message: MessageRecord): Promise<InsertOutcome> {
    return this.outboundBatch ? this.outboundBatch.insert(message) : this.insertOutboundAlone(message);
  }

  private insertOutboundAlone(message: MessageRecord): Promise<InsertOutcome> {
    // One statement decides, so no transaction is needed: of two racing inserts with one key, the
    // database lets exactly one through and the other reads the winner's row.
    return this.sql.run(async (session) => {
      const inserted = await session.rows(INSERT_OUTBOUND, this.messageParams(message));
      if (inserted.length > 0) return { inserted: true, message: { ...message } };
      return { inserted: false, message: await this.storedByKey(session, message) };
    });
  }

  /** The message already stored under the idempotency key of `message` (the insert met a conflict). */
  private async storedByKey(session: SqlSession, message: MessageRecord): Promise<MessageRecord> {
    const [row] = await session.rows(SELECT_BY_IDEMPOTENCY_KEY, [message.agentId, message.idempotencyKey]);
    if (!row) throw vanished(message.id);
    return toMessage(row, this.codec);
  }

  insertInbound(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome> {
    return this.inboundBatch ? this.inboundBatch.insert(message, delivery) : this.insertInboundAlone(message, delivery);
  }

  private insertInboundAlone(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome> {
    if (this.sql.dialect === 'postgresql') return this.insertInboundInOneStatement(message, delivery);
    // Without a delivery the insert is one statement, atomic on its own: no SAVEPOINT / RELEASE around it.
    if (!delivery) return this.sql.run(async (session) => this.insertInboundRow(session, message));
    return this.sql.atomic(async (session) => {
      const outcome = await this.insertInboundRow(session, message);
      if (outcome.inserted) await session.run(INSERT_DELIVERY, deliveryParams(delivery, this.codec));
      return outcome;
    });
  }

  /**
   * SQLite's inbound insert (every webhook): the count of rows it changed says whether it stored one (the trigger's
   * rows are not counted), without a RETURNING row to build and read back, ~3 µs of a webhook's CPU.
   */
  private async insertInboundRow(session: SqlSession, message: MessageRecord): Promise<InsertOutcome> {
    const inserted = await session.run(INSERT_INBOUND_ONCE, this.messageParams(message));
    if (inserted === 0) return { inserted: false, message: await this.storedRedelivery(session, message) };
    return { inserted: true, message: { ...message } };
  }

  /** One statement is atomic on its own: no BEGIN / COMMIT round trips around it. */
  private insertInboundInOneStatement(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome> {
    return this.sql.run(async (session) => {
      const inserted = delivery
        ? await session.rows(INSERT_INBOUND_WITH_DELIVERY_PG, [...this.messageParams(message), ...deliveryParams(delivery, this.codec)])
        : await session.rows(INSERT_INBOUND, this.messageParams(message));
      if (inserted.length === 0) return { inserted: false, message: await this.storedRedelivery(session, message) };
      return { inserted: true, message: { ...message } };
    });
  }

  /** The message already stored under the provider id of `message` (the insert met a conflict). */
  private async storedRedelivery(session: SqlSession, message: MessageRecord): Promise<MessageRecord> {
    const [row] = await session.rows(SELECT_BY_PROVIDER_ID, [message.agentId, message.channel, message.providerMessageId]);
    if (!row) throw vanished(message.id);
    return toMessage(row, this.codec);
  }

  findById(id: string): Promise<MessageRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_ID, [id]);
      return row ? toMessage(row, this.codec) : null;
    });
  }

  findByProviderId(agentId: string, channel: Channel, providerMessageId: string): Promise<MessageRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_PROVIDER_ID, [agentId, channel, providerMessageId]);
      return row ? toMessage(row, this.codec) : null;
    });
  }

  async changeStatus(id: string, change: StatusChange, onlyFrom: readonly MessageStatus[]): Promise<boolean> {
    if (onlyFrom.length === 0) return false;
    return this.batcher ? this.batcher.change(id, change, onlyFrom) : this.changeStatusAlone(id, change, onlyFrom);
  }

  private async changeStatusAlone(id: string, change: StatusChange, onlyFrom: readonly MessageStatus[]): Promise<boolean> {
    // Fields left undefined keep their stored value; null clears them. `metadata` replaces the stored object.
    const set = new SqlClauses('status = ?', change.status).and('updated_at = ?', this.codec.time(change.updatedAt));
    if (change.errorCode !== undefined) set.and('error_code = ?', change.errorCode);
    if (change.errorMessage !== undefined) set.and('error_message = ?', change.errorMessage);
    if (change.providerMessageId !== undefined) set.and('provider_message_id = ?', change.providerMessageId);
    if (change.provider !== undefined) set.and('provider = ?', change.provider);
    if (change.metadata !== undefined) set.and('metadata = ?', this.codec.json(change.metadata));
    const sql =
      `UPDATE messages SET ${set.join(', ')} WHERE id = ? AND status IN (${onlyFrom.map(() => '?').join(', ')})`;
    const params = [...set.params, id, ...onlyFrom];
    try {
      const changed = await this.sql.run((session) => session.run(sql, params));
      return changed > 0;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw new DomainError(
        'CONFLICT',
        'Another message of this agent already carries this provider message id.',
        undefined,
        { messageId: id },
      );
    }
  }

  list(query: MessageQuery): Promise<MessageRecord[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    const { sql, params } = messageHistorySql(query, limit, this.sql);
    // A read-only page: on SQLite it runs beside the write batch, not inside it.
    return this.sql.read(async (session) => {
      const rows = await session.rows(sql, params);
      return rows.map((row) => toMessage(row, this.codec));
    });
  }

  listStuckPending(updatedBefore: Date, limit: number): Promise<MessageRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_STUCK_PENDING, [this.codec.time(updatedBefore), Math.floor(limit)]);
      return rows.map((row) => toMessage(row, this.codec));
    });
  }

  private messageParams(m: MessageRecord): SqlParam[] {
    return [
      m.id, m.agentId, m.channel, m.direction, m.from, m.to, m.body, m.status, m.provider, m.providerMessageId,
      m.idempotencyKey, m.requestHash, m.errorCode, m.errorMessage, this.codec.json(m.metadata),
      this.codec.time(m.createdAt), this.codec.time(m.updatedAt),
    ];
  }

}

/** The insert met a conflicting row that the next read cannot see: rows are never deleted, so a bug. */
function vanished(messageId: string): DomainError {
  return new DomainError('INTERNAL', 'A conflicting message was reported but could not be read back.', undefined, {
    messageId,
  });
}
