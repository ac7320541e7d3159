/**
 * Group commit for inbound messages on PostgreSQL. Each inbound webhook needs one durable insert before it may be
 * acknowledged; one statement per webhook costs a round trip, a pooled connection and a WAL flush each (≈ 4 ms on
 * this project's disk), so webhooks arriving together are written together: while a batch is being written, the
 * next ones queue, and the next batch takes them all in one statement (no timer: an idle server writes a lone
 * webhook at once). The statement runs in autocommit with synchronous commit, so each caller's promise resolves
 * only once its row is durable, and either every row of a batch is committed or none is.
 */
import type { CallbackDeliveryRecord, MessageRecord } from '../../ports/records.js';
import type { InsertOutcome } from '../../ports/repositories.js';
import { DELIVERY_COLUMNS, MESSAGE_COLUMNS, deliveryParams } from './row-mapping.js';
import { GroupBatch, type GroupBatchOptions } from './group-batch.js';
import { MESSAGE_TYPES, arrayParams, transpose } from './postgresql-arrays.js';
import type { SqlArgument, SqlCodec, SqlParam, SqlRow } from './sql-executor.js';

/** The PostgreSQL types of DELIVERY_COLUMNS, in order: one array parameter per column. */
const DELIVERY_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'integer', 'timestamptz', 'text', 'timestamptz', 'timestamptz'];

/**
 * One text whatever the batch size (postgresql-arrays.ts). The deliveries are written only for the messages inserted
 * (a redelivery adds none); the data-modifying CTE runs even though nothing reads it.
 */
const INSERT_BATCH =
  `WITH inserted AS (INSERT INTO messages (${MESSAGE_COLUMNS}) SELECT * FROM unnest(${arrayParams(MESSAGE_TYPES)}) ` +
  'ON CONFLICT (agent_id, channel, provider_message_id) DO NOTHING RETURNING id), ' +
  `deliveries AS (INSERT INTO callback_deliveries (${DELIVERY_COLUMNS}) ` +
  `SELECT * FROM unnest(${arrayParams(DELIVERY_TYPES, MESSAGE_TYPES.length)}) AS d(${DELIVERY_COLUMNS}) ` +
  'WHERE d.message_id IN (SELECT id FROM inserted) RETURNING 1) ' +
  'SELECT id FROM inserted';

interface Inbound {
  message: MessageRecord;
  delivery: CallbackDeliveryRecord | null;
}

/**
 * The webhooks of one event-loop turn in one statement (gatherTurn): under the webhook bench (64 connections) 61 % of
 * the statements were a lone row, the first four of each turn taking the four free slots one by one.
 */
export const DEFAULT_INBOUND_BATCH: GroupBatchOptions = { concurrency: 4, maxBatch: 256, gatherTurn: true };

export class InboundInsertBatch {
  private readonly batch: GroupBatch<Inbound, InsertOutcome>;

  constructor(
    /** One autocommit statement with array parameters (PostgresqlExecutor.arrayRows). */
    private readonly arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
    private readonly codec: SqlCodec,
    private readonly messageParams: (message: MessageRecord) => SqlParam[],
    /** One message alone, as without batching: a batch of one, and each row of a batch that failed, so one bad row fails alone. */
    insertOne: (message: MessageRecord, delivery: CallbackDeliveryRecord | null) => Promise<InsertOutcome>,
    /** The stored message that a redelivery (an insert that met the unique provider id) is about. */
    storedRedelivery: (message: MessageRecord) => Promise<InsertOutcome>,
    options: GroupBatchOptions = DEFAULT_INBOUND_BATCH,
  ) {
    this.batch = new GroupBatch<Inbound, InsertOutcome>({
      writeBatch: async (items) => {
        const inserted = await this.insertBatch(items);
        return items.map((p) => (inserted.has(p.message.id) ? { inserted: true, message: { ...p.message } } : storedRedelivery(p.message)));
      },
      writeAlone: (p) => insertOne(p.message, p.delivery),
    }, options);
  }

  insert(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome> {
    return this.batch.add({ message, delivery });
  }

  private async insertBatch(batch: readonly Inbound[]): Promise<Set<string>> {
    const messages = transpose(batch.map((p) => this.messageParams(p.message)), MESSAGE_TYPES.length);
    const withDelivery = batch.flatMap((p) => (p.delivery ? [deliveryParams(p.delivery, this.codec)] : []));
    const deliveries = transpose(withDelivery, DELIVERY_TYPES.length);
    const params: SqlArgument[] = [...messages, ...deliveries];
    const rows = await this.arrayRows(INSERT_BATCH, params);
    return new Set(rows.map((row) => String(row.id)));
  }
}
