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
import type { SqlArgument, SqlCodec, SqlParam, SqlRow } from './sql-executor.js';

/** The PostgreSQL types of MESSAGE_COLUMNS and DELIVERY_COLUMNS, in order: one array parameter per column. */
const MESSAGE_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'timestamptz', 'timestamptz'];
const DELIVERY_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'integer', 'timestamptz', 'text', 'timestamptz', 'timestamptz'];

const arrays = (types: string[], offset: number): string => types.map((type, i) => `$${offset + i + 1}::${type}[]`).join(', ');

/**
 * One text whatever the batch size (arrays, not rows of placeholders), so it is prepared once per connection. The
 * deliveries are written only for the messages inserted (a redelivery adds none); the data-modifying CTE runs even
 * though nothing reads it. `$n` placeholders are written out: the executor's `?` conversion would not see `::type[]`.
 */
const INSERT_BATCH =
  `WITH inserted AS (INSERT INTO messages (${MESSAGE_COLUMNS}) SELECT * FROM unnest(${arrays(MESSAGE_TYPES, 0)}) ` +
  'ON CONFLICT (agent_id, channel, provider_message_id) DO NOTHING RETURNING id), ' +
  `deliveries AS (INSERT INTO callback_deliveries (${DELIVERY_COLUMNS}) ` +
  `SELECT * FROM unnest(${arrays(DELIVERY_TYPES, MESSAGE_TYPES.length)}) AS d(${DELIVERY_COLUMNS}) ` +
  'WHERE d.message_id IN (SELECT id FROM inserted) RETURNING 1) ' +
  'SELECT id FROM inserted';

interface Pending {
  message: MessageRecord;
  delivery: CallbackDeliveryRecord | null;
  resolve(outcome: InsertOutcome): void;
  reject(error: unknown): void;
}

export interface InboundBatchOptions {
  /** Batches written at once (each holds a pooled connection while it waits for its commit). */
  concurrency: number;
  /** Most messages in one statement. */
  maxBatch: number;
}

export const DEFAULT_INBOUND_BATCH: InboundBatchOptions = { concurrency: 4, maxBatch: 256 };

/** Columns as arrays: `columns[c][row]`. */
function transpose(rows: SqlParam[][], width: number): SqlParam[][] {
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]!));
}

export class InboundInsertBatch {
  private readonly queue: Pending[] = [];
  private writing = 0;

  constructor(
    /** One autocommit statement with array parameters (PostgresqlExecutor.arrayRows). */
    private readonly arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
    private readonly codec: SqlCodec,
    private readonly messageParams: (message: MessageRecord) => SqlParam[],
    /** One message alone, as without batching: used for the rows of a batch that failed, so one bad row fails alone. */
    private readonly insertOne: (message: MessageRecord, delivery: CallbackDeliveryRecord | null) => Promise<InsertOutcome>,
    /** The stored message that a redelivery (an insert that met the unique provider id) is about. */
    private readonly storedRedelivery: (message: MessageRecord) => Promise<InsertOutcome>,
    private readonly options: InboundBatchOptions = DEFAULT_INBOUND_BATCH,
  ) {}

  insert(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.queue.push({ message, delivery, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.writing < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.writing++;
      void this.write(batch).finally(() => {
        this.writing--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await this.insertBatch(batch);
    } catch {
      // Nothing of the batch was committed (one statement): each is tried alone, so that a row the database
      // refuses (its agent deleted meanwhile …) fails its own webhook only, with the error it would have had.
      await Promise.all(batch.map((p) => this.insertOne(p.message, p.delivery).then(p.resolve, p.reject)));
      return;
    }
    await Promise.all(batch.map(async (p) => {
      try {
        p.resolve(inserted.has(p.message.id) ? { inserted: true, message: { ...p.message } } : await this.storedRedelivery(p.message));
      } catch (error) {
        p.reject(error);
      }
    }));
  }

  private async insertBatch(batch: Pending[]): Promise<Set<string>> {
    const messages = transpose(batch.map((p) => this.messageParams(p.message)), MESSAGE_TYPES.length);
    const withDelivery = batch.flatMap((p) => (p.delivery ? [deliveryParams(p.delivery, this.codec)] : []));
    const deliveries = transpose(withDelivery, DELIVERY_TYPES.length);
    const params: SqlArgument[] = [...messages, ...deliveries];
    const rows = await this.arrayRows(INSERT_BATCH, params);
    return new Set(rows.map((row) => String(row.id)));
  }
}
