/**
 * The compliance reads of concurrent sends in one statement (PostgreSQL). Every send first reads what blocks it
 * (opt-outs and do-not-contact entries, compliance-repository.ts findSendBlocks): one round trip each, the largest
 * cost of a send on loopback being the socket writes. Here a read goes out at once when a slot is free, and the reads
 * that arrive while the slots are busy go out together; each caller gets its own blocks, in the orders of the single
 * read. A read sees the lists as committed when its statement starts, as the single read does.
 */
import type { SendBlocks, SendBlocksQuery } from '../../ports/compliance.js';
import { ANY, sendBlocksOf } from './compliance-rows.js';
import { GroupBatch, type GroupBatchOptions } from './group-batch.js';
import { arrayParams } from './postgresql-arrays.js';
import type { SqlArgument, SqlCodec, SqlRow } from './sql-executor.js';

/**
 * One row per (read, contact): `i` the read's place in the batch. The columns a list lacks are NULL, as in the
 * single read; `dnc` leaves the do-not-contact lists out for the reads that do not want them (email).
 */
const SELECT_BATCH =
  `WITH q AS (SELECT * FROM unnest(${arrayParams(['integer', 'text', 'text', 'text', 'text', 'boolean'])}) AS q(i, contact_hash, channel, sender, agent_id, dnc)) ` +
  "SELECT q.i, 'o' AS list, o.contact_hash, o.channel, o.sender, o.scope, o.source, NULL AS agent_id, o.created_at " +
  `FROM q JOIN opt_outs o ON o.contact_hash = q.contact_hash AND o.channel = q.channel AND o.sender IN (q.sender, '${ANY}') ` +
  "UNION ALL SELECT q.i, 'd', d.contact_hash, NULL, NULL, NULL, d.source, d.agent_id, d.created_at " +
  `FROM q JOIN do_not_contact d ON d.contact_hash = q.contact_hash AND d.agent_id IN (q.agent_id, '${ANY}') WHERE q.dnc`;

/** Reads are short (no WAL flush): two in flight keep the wait low, and each batch takes the reads queued meanwhile. */
export const DEFAULT_SEND_BLOCKS_BATCH: GroupBatchOptions = { concurrency: 2, maxBatch: 256 };

export class SendBlocksBatch {
  private readonly batch: GroupBatch<SendBlocksQuery, SendBlocks>;

  constructor(
    /** One autocommit statement with array parameters (PostgresqlExecutor.arrayRows). */
    arrayRows: (sql: string, params: readonly SqlArgument[]) => Promise<SqlRow[]>,
    codec: SqlCodec,
    /** One read alone: a batch of one, and each read of a batch whose statement failed. */
    readOne: (query: SendBlocksQuery) => Promise<SendBlocks>,
    options: GroupBatchOptions = DEFAULT_SEND_BLOCKS_BATCH,
  ) {
    this.batch = new GroupBatch<SendBlocksQuery, SendBlocks>({
      writeBatch: async (queries) => {
        const rows = await arrayRows(SELECT_BATCH, columns(queries));
        const byRead = queries.map((): SqlRow[] => []);
        for (const row of rows) byRead[Number(row.i)]!.push(row);
        return byRead.map((own) => sendBlocksOf(own, codec));
      },
      writeAlone: readOne,
    }, options);
  }

  /** `query` holds at least one contact (the repository answers an empty one itself). */
  find(query: SendBlocksQuery): Promise<SendBlocks> {
    return this.batch.add(query);
  }
}

/** The array parameters: one entry per distinct contact of each read (a contact named twice is read once, as by IN). */
function columns(queries: readonly SendBlocksQuery[]): SqlArgument[] {
  const i: number[] = [], hashes: string[] = [], channels: string[] = [], senders: string[] = [], agents: string[] = [], dnc: string[] = [];
  queries.forEach((q, n) => {
    for (const hash of new Set(q.contactHashes)) {
      i.push(n); hashes.push(hash); channels.push(q.channel); senders.push(q.sender); agents.push(q.agentId); dnc.push(q.doNotContact ? 'true' : 'false');
    }
  });
  return [i, hashes, channels, senders, agents, dnc];
}
