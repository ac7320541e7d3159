/**
 * Group commit for outbound messages on PostgreSQL. Every send stores its message durably before the provider is
 * called; one statement per send costs a round trip, a pooled connection and a WAL flush each, so the inserts of
 * concurrent sends go out together: while a batch is being written, the next ones queue, and the next batch takes
 * them all in one statement (no timer: an idle server writes a lone send at once). The statement runs in autocommit
 * with synchronous commit, so each caller's promise resolves only once its row is durable.
 *
 * Idempotency is the unique (agent_id, idempotency_key) itself, as for a single insert: a row that meets a stored
 * key is skipped (ON CONFLICT DO NOTHING) and its caller reads the stored row once the batch has committed. Two
 * rows with one key in one batch behave as two racing single inserts: the first is stored, the second meets it
 * and gets it (DO NOTHING skips a row that conflicts with one the same statement inserted).
 */
import type { MessageRecord } from '../../ports/records.js';
import type { InsertOutcome } from '../../ports/repositories.js';
import { MESSAGE_COLUMNS } from './row-mapping.js';
import { IDEMPOTENCY_CONFLICT } from './migrations/message-partial-indexes.js';
import { GroupBatch, type GroupBatchOptions } from './group-batch.js';
import { MESSAGE_TYPES, arrayParams, transpose } from './postgresql-arrays.js';
import type { SqlArgument, SqlParam, SqlRow } from './sql-executor.js';

/** Any other violation (a reused primary key, an unknown agent) fails the statement: each row is then tried alone. */
const INSERT_BATCH =
  `INSERT INTO messages (${MESSAGE_COLUMNS}) SELECT * FROM unnest(${arrayParams(MESSAGE_TYPES)}) ` +
  `${IDEMPOTENCY_CONFLICT} DO NOTHING RETURNING id`;

/**
 * Two batches in flight: a send's insert waits less for a WAL flush than behind one, and under load each batch
 * still takes the sends of a whole flush (measured: README, "A send on PostgreSQL").
 */
export const DEFAULT_OUTBOUND_BATCH: GroupBatchOptions = { concurrency: 2, maxBatch: 256 };

export class OutboundInsertBatch {
  private readonly batch: GroupBatch<MessageRecord, InsertOutcome>;

  constructor(
    /** One autocommit statement with array parameters (PostgresqlExecutor.arrayRows). */
    arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
    messageParams: (message: MessageRecord) => SqlParam[],
    /** One message alone, as without batching: a batch of one, and each row of a batch that failed, so one bad row fails alone. */
    insertOne: (message: MessageRecord) => Promise<InsertOutcome>,
    /** The stored message whose idempotency key `message` reused (its insert met the unique key). */
    storedByKey: (message: MessageRecord) => Promise<InsertOutcome>,
    options: GroupBatchOptions = DEFAULT_OUTBOUND_BATCH,
  ) {
    this.batch = new GroupBatch<MessageRecord, InsertOutcome>({
      writeBatch: async (messages) => {
        const rows = await arrayRows(INSERT_BATCH, transpose(messages.map(messageParams), MESSAGE_TYPES.length));
        const inserted = new Set(rows.map((row) => String(row.id)));
        return messages.map((m) => (inserted.has(m.id) ? { inserted: true, message: { ...m } } : storedByKey(m)));
      },
      writeAlone: insertOne,
    }, options);
  }

  insert(message: MessageRecord): Promise<InsertOutcome> {
    return this.batch.add(message);
  }
}
